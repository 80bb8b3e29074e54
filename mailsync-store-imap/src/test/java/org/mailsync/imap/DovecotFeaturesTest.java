package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Capability;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SpecialUse;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * Server features and quirks that only a real Dovecot shows: namespaces and separators,
 * special use, subscriptions, BODY.PEEK, a connection killed in the middle of a large folder,
 * APPENDLIMIT, a message the server refuses, and a server without UIDPLUS or MULTIAPPEND.
 */
@Tag("dovecot")
class DovecotFeaturesTest {
    private static final Instant DATE = Instant.parse("2023-05-06T07:08:09Z");
    private static final AtomicInteger NEXT_USER = new AtomicInteger();
    private static DovecotServer dotPrefixed;
    private static DovecotServer slash;
    private static DovecotServer limited;
    private static DovecotServer minimal;

    @BeforeAll
    static void start() throws Exception {
        dotPrefixed = DovecotContractTest.Dovecots.startWithUsers(
                "u", DovecotServer.Options.defaults().withNamespace("INBOX.", '.'));
        slash = DovecotContractTest.Dovecots.startWithUsers(
                "u", DovecotServer.Options.defaults().withNamespace("", '/'));
        // quota_max_mail_size makes Dovecot refuse big messages with its own NO [LIMIT] text; the
        // capability list is given in full so that it does not announce APPENDLIMIT for it.
        limited = DovecotContractTest.Dovecots.startWithUsers(
                "u",
                DovecotServer.Options.defaults()
                        .withExtraConfig("mail_plugins = $mail_plugins quota\n"
                                + "plugin {\n  quota = maildir:User quota\n  quota_max_mail_size = 64k\n}\n"
                                + DovecotWithoutCondstoreContractTest.CAPABILITIES_WITHOUT_CONDSTORE));
        minimal = DovecotContractTest.Dovecots.startWithUsers(
                "u",
                DovecotServer.Options.defaults()
                        .withExtraConfig("imap_capability = IMAP4rev1 SASL-IR ID ENABLE IDLE NAMESPACE LITERAL+"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (DovecotServer server : List.of(dotPrefixed, slash, limited, minimal)) {
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

    private static Optional<MessageUid> append(MailFolder folder, byte[] bytes, Flags flags) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            return folder.append(new AppendRequest(raw, flags, DATE));
        }
    }

    @Test
    void foldersAreSegmentsOnAnInboxDotServerAndOnASlashServer() throws Exception {
        String user = user();
        FolderPath archive = FolderPath.of("Archive", "2023");
        byte[] bytes = TestMessages.simple("archived", "x");
        try (ImapStore dots = DovecotContractTest.Dovecots.store(dotPrefixed, user);
                ImapStore slashes = DovecotContractTest.Dovecots.store(slash, user)) {
            assertThat(dots.namespacePrefix()).isEqualTo("INBOX.");
            assertThat(dots.separator()).isEqualTo('.');
            assertThat(slashes.namespacePrefix()).isEmpty();
            assertThat(slashes.separator()).isEqualTo('/');
            dots.createFolder(archive);
            try (MailFolder source = dots.openFolder(archive)) {
                append(source, bytes, Flags.of(Flag.SEEN));
            }
            // Copy through the SPI from the INBOX.-prefixed server to the '/' server.
            for (FolderInfo info : dots.listFolders()) {
                slashes.createFolder(info.path());
            }
            try (MailFolder source = dots.openFolder(archive);
                    MailFolder target = slashes.openFolder(archive)) {
                MessageInfo info = listAll(source).get(0);
                source.readAll(List.of(info.uid()), (uid, raw) -> {
                    try (raw) {
                        target.append(new AppendRequest(raw, info.flags(), info.internalDate()));
                    }
                });
                MessageInfo copied = listAll(target).get(0);
                assertThat(copied.flags()).isEqualTo(Flags.of(Flag.SEEN));
                assertThat(target.read(copied.uid()).orElseThrow().toByteArray())
                        .isEqualTo(bytes);
            }
            // Parents before children.
            assertThat(dots.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.of("Archive"), archive, FolderPath.INBOX);
            assertThat(slashes.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.of("Archive"), archive, FolderPath.INBOX);
        }
        assertThat(dotPrefixed.doveadm("mailbox", "list", "-u", user)).contains("INBOX.Archive.2023");
        assertThat(slash.doveadm("mailbox", "list", "-u", user)).contains("Archive/2023");
    }

    @Test
    void aSegmentHoldingTheSeparatorIsAFolderError() throws Exception {
        try (ImapStore slashes = DovecotContractTest.Dovecots.store(slash, user())) {
            assertThatThrownBy(() -> slashes.createFolder(FolderPath.of("a/b")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("separator '/'");
        }
    }

    @Test
    void specialUseAndSubscriptionsAreListed() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(slash, user())) {
            assertThat(store.capabilities().has(Capability.SPECIAL_USE)).isTrue();
            store.createFolder(FolderPath.of("Sent"));
            store.createFolder(FolderPath.of("Projects"));
            store.setSubscribed(FolderPath.of("Projects"), true);
            List<FolderInfo> folders = store.listFolders();
            assertThat(folders)
                    .filteredOn(f -> f.path().equals(FolderPath.of("Sent")))
                    .extracting(FolderInfo::specialUse)
                    .containsExactly(SpecialUse.SENT);
            assertThat(folders)
                    .filteredOn(f -> f.path().equals(FolderPath.of("Projects")))
                    .extracting(FolderInfo::subscribed, FolderInfo::specialUse)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(true, null));
            store.setSubscribed(FolderPath.of("Projects"), false);
            assertThat(store.listFolders())
                    .filteredOn(f -> f.path().equals(FolderPath.of("Projects")))
                    .extracting(FolderInfo::subscribed)
                    .containsExactly(false);
        }
    }

    @Test
    void readingNeverSetsSeenOnTheSource() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(slash, user());
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            MessageUid uid = append(inbox, TestMessages.simple("unread", "x"), Flags.NONE)
                    .orElseThrow();
            inbox.read(uid).orElseThrow().close();
            inbox.readAll(List.of(uid), (id, raw) -> raw.close());
            inbox.readHeaders(List.of(uid), (id, header) -> {});
            assertThat(listAll(inbox).get(0).flags().contains(Flag.SEEN)).isFalse();
        }
    }

    private static List<byte[]> fill(MailFolder folder, int count) throws Exception {
        List<byte[]> all = new ArrayList<>();
        for (int start = 0; start < count; start += 200) {
            List<RawMessage> raws = new ArrayList<>();
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 200); i++) {
                byte[] bytes = TestMessages.simple("message " + i, ("body " + i + " ").repeat(200));
                all.add(bytes);
                RawMessage raw = RawMessage.of(bytes);
                raws.add(raw);
                batch.add(new AppendRequest(raw, Flags.NONE, DATE));
            }
            folder.appendAll(batch);
            raws.forEach(RawMessage::close);
        }
        return all;
    }

    @Test
    void readAllAndListCompleteAfterTheServerKillsTheConnection() throws Exception {
        String user = user();
        List<Duration> retries = Collections.synchronizedList(new ArrayList<>());
        try (ImapStore store = DovecotContractTest.Dovecots.builder(slash, user)
                        .retry(new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(200)))
                        .sleeper(d -> {
                            retries.add(d);
                            Thread.sleep(d.toMillis());
                        })
                        .connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<byte[]> expected = fill(inbox, 1500);
            List<MessageUid> uids =
                    listAll(inbox).stream().map(MessageInfo::uid).toList();
            assertThat(uids).hasSize(1500);

            // Killed between two commands of one readAll: the next command reconnects.
            List<MessageUid> read = new ArrayList<>();
            List<byte[]> bytes = new ArrayList<>();
            inbox.readAll(uids, (uid, raw) -> {
                try (raw) {
                    read.add(uid);
                    bytes.add(raw.toByteArray());
                }
                if (read.size() == 100) {
                    kick(user);
                }
            });
            assertThat(read).isEqualTo(uids);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(bytes.get(i)).isEqualTo(expected.get(i));
            }
            assertThat(retries).isNotEmpty();

            // Killed while a listing is under way, from another thread.
            retries.clear();
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(30);
                    kick(user);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<MessageInfo> listed = new ArrayList<>();
            killer.start();
            inbox.list(MessageQuery.all().withBatchSize(50), batch -> {
                listed.addAll(batch);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.join();
            assertThat(listed).extracting(MessageInfo::uid).isEqualTo(uids);
            assertThat(new HashSet<>(listed)).hasSize(1500);
            assertThat(retries).isNotEmpty();
            // The folder stays usable after the reconnects.
            assertThat(inbox.status().messageCount()).isEqualTo(1500);
        }
    }

    @Test
    void anAppendCutOffByALostConnectionIsNotRetriedAndTheFolderStaysUsable() throws Exception {
        String user = user();
        List<Duration> retries = new ArrayList<>();
        try (ImapStore store = DovecotContractTest.Dovecots.builder(slash, user)
                        .sleeper(retries::add)
                        .connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            append(inbox, TestMessages.simple("before", "1"), Flags.NONE);
            kick(user);
            Thread.sleep(500); // doveadm kick returns before the imap process has gone
            assertThatThrownBy(() -> append(inbox, TestMessages.simple("cut off", "2"), Flags.NONE))
                    .isInstanceOf(org.mailsync.ConnectionException.class)
                    .hasMessageContaining("APPEND")
                    .hasMessageContaining("not retried");
            assertThat(retries).isEmpty();
            // The next call reconnects; the engine finds out by identity whether "cut off" arrived.
            assertThat(append(inbox, TestMessages.simple("after", "3"), Flags.NONE))
                    .isPresent();
            assertThat(inbox.status().messageCount()).isEqualTo(2);
        }
    }

    private static void kick(String user) {
        try {
            slash.doveadm("kick", user);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void appendLimitIsDeclaredAndABiggerMessageIsRejectedBeforeSending() throws Exception {
        try (DovecotServer server = DovecotContractTest.Dovecots.startWithUsers(
                        "a", DovecotServer.Options.defaults().withExtraConfig("imap_capability = +APPENDLIMIT=40000"));
                ImapStore store = DovecotContractTest.Dovecots.store(server, "a1");
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(store.capabilities().maxMessageSize()).hasValue(40000);
            assertThatThrownBy(() -> append(inbox, TestMessages.withAttachment(60_000, 1), Flags.NONE))
                    .isInstanceOf(MessageRejectedException.class)
                    .hasMessageContaining("APPENDLIMIT of 40000")
                    .hasMessageContaining("INBOX");
            assertThat(inbox.status().messageCount()).isZero();
            append(inbox, TestMessages.simple("small", "x"), Flags.NONE);
            assertThat(inbox.status().messageCount()).isEqualTo(1);
        }
    }

    @Test
    void aMessageTheServerRefusesIsRejectedWithTheServersTextAndTheFolderGoesOn() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(limited, user());
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(store.capabilities().maxMessageSize()).isEmpty();
            assertThatThrownBy(() -> append(inbox, TestMessages.withAttachment(200_000, 2), Flags.NONE))
                    .isInstanceOf(MessageRejectedException.class)
                    .hasMessageContaining("NO")
                    .hasMessageContaining("INBOX");
            assertThat(append(inbox, TestMessages.simple("fits", "x"), Flags.NONE))
                    .isPresent();
            assertThat(inbox.status().messageCount()).isEqualTo(1);
        }
    }

    @Test
    void withoutUidplusOrMultiappendAppendsOneByOneAndDeletesOnlyWhenNoOtherMessageIsDeleted() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(minimal, user());
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage a = RawMessage.of(TestMessages.simple("a", "1"));
                RawMessage b = RawMessage.of(TestMessages.simple("b", "2"));
                RawMessage c = RawMessage.of(TestMessages.simple("c", "3"))) {
            assertThat(store.capabilities().has(Capability.APPEND_UID)).isFalse();
            assertThat(store.capabilities().has(Capability.BATCH_APPEND)).isFalse();
            assertThat(inbox.appendAll(List.of(
                            new AppendRequest(a, Flags.NONE, DATE),
                            new AppendRequest(b, Flags.NONE, DATE),
                            new AppendRequest(c, Flags.of(Flag.DELETED), DATE))))
                    .containsExactly(Optional.empty(), Optional.empty(), Optional.empty());
            List<MessageInfo> all = listAll(inbox);
            assertThat(all).hasSize(3);
            assertThatThrownBy(() -> inbox.delete(List.of(all.get(0).uid())))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("UIDPLUS")
                    .hasMessageContaining("\\Deleted");
            assertThat(listAll(inbox)).hasSize(3);
            inbox.storeFlags(
                    List.of(all.get(2).uid()), org.mailsync.spi.FlagsUpdateMode.REMOVE, Flags.of(Flag.DELETED));
            inbox.delete(List.of(all.get(0).uid()));
            assertThat(listAll(inbox))
                    .extracting(MessageInfo::uid)
                    .containsExactly(all.get(1).uid(), all.get(2).uid());
            Set<String> subjects = new HashSet<>();
            inbox.readHeaders(
                    List.of(all.get(1).uid(), all.get(2).uid()),
                    (uid, header) -> subjects.add(new String(header, StandardCharsets.UTF_8)));
            assertThat(subjects).hasSize(2);
        }
    }
}
