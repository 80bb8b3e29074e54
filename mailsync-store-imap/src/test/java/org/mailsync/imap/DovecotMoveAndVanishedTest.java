package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Capability;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * Moving messages (RFC 6851 MOVE, or COPY, STORE and EXPUNGE where a server lacks it) and QRESYNC
 * VANISHED (RFC 7162) against Dovecot with its default capabilities, without MOVE, and without
 * MOVE, UIDPLUS and QRESYNC.
 */
@Tag("dovecot")
class DovecotMoveAndVanishedTest {
    private static final Instant DATE = Instant.parse("2023-05-06T07:08:09Z");
    private static final FolderPath FROM = FolderPath.of("From");
    private static final FolderPath TO = FolderPath.of("To");
    private static final AtomicInteger NEXT_USER = new AtomicInteger();
    private static DovecotServer full;
    private static DovecotServer withoutMove;
    private static DovecotServer minimal;

    @BeforeAll
    static void start() throws Exception {
        full = DovecotContractTest.Dovecots.startWithUsers("u", DovecotServer.Options.defaults());
        withoutMove = DovecotContractTest.Dovecots.startWithUsers(
                "u",
                DovecotServer.Options.defaults()
                        .withExtraConfig("imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT"
                                + " MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED LITERAL+"
                                + " SPECIAL-USE CONDSTORE QRESYNC"));
        minimal = DovecotContractTest.Dovecots.startWithUsers(
                "u",
                DovecotServer.Options.defaults()
                        .withExtraConfig("imap_capability = IMAP4rev1 SASL-IR ID ENABLE IDLE NAMESPACE LITERAL+"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (DovecotServer server : List.of(full, withoutMove, minimal)) {
            server.close();
        }
    }

    private static String user() {
        return "u" + NEXT_USER.incrementAndGet();
    }

    private static List<MessageInfo> listAll(MailFolder folder) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        folder.list(MessageQuery.all(), all::addAll);
        return all;
    }

    private static void append(MailFolder folder, byte[] bytes, Flags flags) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            folder.append(new AppendRequest(raw, flags, DATE));
        }
    }

    private static byte[] read(MailFolder folder, MessageUid uid) throws Exception {
        try (RawMessage raw = folder.read(uid).orElseThrow()) {
            return raw.toByteArray();
        }
    }

    /** Fills "From" with a (SEEN), b, c (FLAGGED) and creates an empty "To"; returns their ids. */
    private static List<MessageUid> fill(ImapStore store) throws Exception {
        store.createFolder(FROM);
        store.createFolder(TO);
        try (MailFolder from = store.openFolder(FROM)) {
            append(from, TestMessages.simple("a", "1"), Flags.of(Flag.SEEN));
            append(from, TestMessages.simple("b", "2"), Flags.NONE);
            append(from, TestMessages.simple("c", "3"), Flags.of(Flag.FLAGGED));
            return listAll(from).stream().map(MessageInfo::uid).toList();
        }
    }

    /** Moves a and c and checks both folders: b stays, a and c arrive with bytes, flags, date. */
    private static Map<MessageUid, Optional<MessageUid>> moveAAndC(ImapStore store, List<MessageUid> ids)
            throws Exception {
        MessageUid missing = MessageUid.of(ids.get(2).value() + 100);
        Map<MessageUid, Optional<MessageUid>> moved = store.move(FROM, List.of(ids.get(0), ids.get(2), missing), TO);
        assertThat(moved.keySet()).containsExactlyInAnyOrder(ids.get(0), ids.get(2));
        try (MailFolder from = store.openFolder(FROM);
                MailFolder to = store.openFolder(TO)) {
            assertThat(listAll(from)).extracting(MessageInfo::uid).containsExactly(ids.get(1));
            List<MessageInfo> arrived = listAll(to);
            assertThat(arrived)
                    .extracting(MessageInfo::flags)
                    .containsExactly(Flags.of(Flag.SEEN), Flags.of(Flag.FLAGGED));
            assertThat(arrived).extracting(MessageInfo::internalDate).containsOnly(DATE);
            assertThat(read(to, arrived.get(0).uid())).isEqualTo(TestMessages.simple("a", "1"));
            assertThat(read(to, arrived.get(1).uid())).isEqualTo(TestMessages.simple("c", "3"));
        }
        return moved;
    }

    @Test
    void moveUsesUidMoveAndTakesTheNewIdsFromCopyUid() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(full, user())) {
            assertThat(store.serverHas("MOVE")).isTrue();
            List<MessageUid> ids = fill(store);
            Map<MessageUid, Optional<MessageUid>> moved = moveAAndC(store, ids);
            try (MailFolder to = store.openFolder(TO)) {
                assertThat(read(to, moved.get(ids.get(0)).orElseThrow())).isEqualTo(TestMessages.simple("a", "1"));
                assertThat(read(to, moved.get(ids.get(2)).orElseThrow())).isEqualTo(TestMessages.simple("c", "3"));
            }
        }
    }

    @Test
    void withoutMoveCopiesThenExpungesOnlyTheMovedMessagesAndKeepsAForeignDeletedOne() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(withoutMove, user())) {
            assertThat(store.serverHas("MOVE")).isFalse();
            assertThat(store.serverHas("UIDPLUS")).isTrue();
            List<MessageUid> ids = fill(store);
            try (MailFolder from = store.openFolder(FROM)) {
                from.storeFlags(List.of(ids.get(1)), FlagsUpdateMode.ADD, Flags.of(Flag.DELETED));
            }
            Map<MessageUid, Optional<MessageUid>> moved = store.move(FROM, List.of(ids.get(0), ids.get(2)), TO);
            assertThat(moved.values()).allMatch(Optional::isPresent);
            try (MailFolder from = store.openFolder(FROM);
                    MailFolder to = store.openFolder(TO)) {
                // UID EXPUNGE (RFC 4315 2.1) removed only the moved messages, not b with its \Deleted.
                assertThat(listAll(from)).extracting(MessageInfo::uid).containsExactly(ids.get(1));
                assertThat(read(to, moved.get(ids.get(0)).orElseThrow())).isEqualTo(TestMessages.simple("a", "1"));
                assertThat(listAll(to))
                        .extracting(MessageInfo::flags)
                        .containsExactly(Flags.of(Flag.SEEN), Flags.of(Flag.FLAGGED));
            }
        }
    }

    @Test
    void withoutMoveAndWithoutAForeignDeletedMessageMovesAsWithMove() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(withoutMove, user())) {
            moveAAndC(store, fill(store));
        }
    }

    @Test
    void withoutUidplusAMoveIsRefusedWhileAnotherMessageCarriesDeletedAndNothingChanges() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(minimal, user())) {
            assertThat(store.serverHas("MOVE")).isFalse();
            assertThat(store.serverHas("UIDPLUS")).isFalse();
            List<MessageUid> ids = fill(store);
            try (MailFolder from = store.openFolder(FROM)) {
                from.storeFlags(List.of(ids.get(1)), FlagsUpdateMode.ADD, Flags.of(Flag.DELETED));
            }
            assertThatThrownBy(() -> store.move(FROM, List.of(ids.get(0), ids.get(2)), TO))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("UIDPLUS")
                    .hasMessageContaining("\\Deleted")
                    .hasMessageContaining("From");
            try (MailFolder from = store.openFolder(FROM);
                    MailFolder to = store.openFolder(TO)) {
                assertThat(listAll(from)).extracting(MessageInfo::uid).containsExactlyElementsOf(ids);
                assertThat(listAll(to)).isEmpty();
                from.storeFlags(List.of(ids.get(1)), FlagsUpdateMode.REMOVE, Flags.of(Flag.DELETED));
            }
            // Once no other message carries \Deleted, COPY and a plain EXPUNGE move them; no new ids.
            Map<MessageUid, Optional<MessageUid>> moved = moveAAndC(store, ids);
            assertThat(moved.values()).allMatch(Optional::isEmpty);
        }
    }

    @Test
    void movingIntoAMissingFolderIsAFolderErrorAndLeavesTheSource() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(full, user())) {
            List<MessageUid> ids = fill(store);
            assertThatThrownBy(() -> store.move(FROM, List.of(ids.get(0)), FolderPath.of("Nowhere")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("Nowhere");
            try (MailFolder from = store.openFolder(FROM)) {
                assertThat(listAll(from)).hasSize(3);
            }
        }
    }

    @Test
    void vanishedSinceNamesMessagesAnotherSessionExpunged() throws Exception {
        String user = user();
        try (ImapStore store = DovecotContractTest.Dovecots.store(full, user);
                ImapStore other = DovecotContractTest.Dovecots.store(full, user)) {
            assertThat(store.capabilities().has(Capability.VANISHED)).isTrue();
            List<MessageUid> ids = fill(store);
            ModSeq before;
            try (MailFolder from = store.openFolder(FROM)) {
                before = from.status().highestModSeq();
            }
            try (MailFolder from = other.openFolder(FROM)) {
                from.delete(List.of(ids.get(0), ids.get(2)));
            }
            try (MailFolder from = store.openFolder(FROM)) {
                assertThat(from.vanishedSince(before)).hasValueSatisfying(gone -> assertThat(gone)
                        .contains(ids.get(0), ids.get(2))
                        .doesNotContain(ids.get(1)));
                ModSeq now = from.status().highestModSeq();
                assertThat(from.vanishedSince(now))
                        .hasValueSatisfying(gone -> assertThat(gone).isEmpty());
                // The modseq fast path still lists only what changed, on the same connection.
                List<MessageInfo> changed = new ArrayList<>();
                from.list(MessageQuery.changedSince(now), changed::addAll);
                assertThat(changed).isEmpty();
            }
        }
    }

    @Test
    void aServerWithoutQresyncDeclaresNoVanishedAndAnswersEmpty() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(minimal, user())) {
            assertThat(store.capabilities().has(Capability.VANISHED)).isFalse();
            List<MessageUid> ids = fill(store);
            try (MailFolder from = store.openFolder(FROM)) {
                from.delete(List.of(ids.get(0)));
                assertThat(from.vanishedSince(ModSeq.of(1))).isEmpty();
            }
        }
    }
}
