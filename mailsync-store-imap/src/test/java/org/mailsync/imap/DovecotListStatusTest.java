package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.RawMessage;
import org.mailsync.SpecialUse;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * Issue 15 against Dovecot, which has LIST-STATUS (RFC 5819), and against a Dovecot that does not
 * announce it: the same folders with the same attributes (special use, subscriptions), and each
 * status the one a selected folder shows, also right after a message was appended.
 */
@Tag("dovecot")
class DovecotListStatusTest {
    /** Dovecot's capabilities without LIST-STATUS (and without its STATUS=SIZE, NOTIFY). */
    static final String CAPABILITIES_WITHOUT_LIST_STATUS = "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID"
            + " ENABLE IDLE MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC MOVE"
            + " LITERAL+ SPECIAL-USE";

    private static DovecotServer withListStatus;
    private static DovecotServer withoutListStatus;

    @BeforeAll
    static void start() throws Exception {
        withListStatus = DovecotContractTest.Dovecots.startWithUsers("u", DovecotServer.Options.defaults());
        withoutListStatus = DovecotContractTest.Dovecots.startWithUsers(
                "u", DovecotServer.Options.defaults().withExtraConfig(CAPABILITIES_WITHOUT_LIST_STATUS));
    }

    @AfterAll
    static void stop() throws Exception {
        withListStatus.close();
        withoutListStatus.close();
    }

    /** INBOX with 3 messages, Sent with 2, Archiv/2024 with 1, Leer empty; Sent subscribed. */
    private static void fill(ImapStore store) throws Exception {
        Map<FolderPath, Integer> counts = new LinkedHashMap<>();
        counts.put(FolderPath.INBOX, 3);
        counts.put(FolderPath.of("Sent"), 2);
        counts.put(FolderPath.of("Archiv", "2024"), 1);
        counts.put(FolderPath.of("Leer"), 0);
        for (Map.Entry<FolderPath, Integer> e : counts.entrySet()) {
            if (!e.getKey().isInbox()) {
                store.createFolder(e.getKey());
            }
            append(store, e.getKey(), e.getValue());
        }
        store.setSubscribed(FolderPath.of("Sent"), true);
    }

    private static void append(ImapStore store, FolderPath path, int n) throws Exception {
        try (MailFolder folder = store.openFolder(path)) {
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(new AppendRequest(
                        RawMessage.of(TestMessages.simple("m" + i, "in " + path)), Flags.NONE, Instant.EPOCH));
            }
            if (!batch.isEmpty()) {
                folder.appendAll(batch);
            }
        }
    }

    @Test
    void listingWithStatusesShowsTheSameFoldersAndStatusesAsSelecting() throws Exception {
        Map<Boolean, List<FolderInfo>> listings = new LinkedHashMap<>();
        for (DovecotServer server : List.of(withListStatus, withoutListStatus)) {
            try (ImapStore filler = DovecotContractTest.Dovecots.store(server, "u1")) {
                fill(filler);
            }
            try (ImapStore store = DovecotContractTest.Dovecots.store(server, "u1")) {
                assertThat(store.serverHas("LIST-STATUS")).isEqualTo(server == withListStatus);
                List<FolderInfo> folders = store.listFolders();
                listings.put(server == withListStatus, folders);
                Map<FolderPath, FolderStatus> unselected = new LinkedHashMap<>();
                for (FolderInfo f : folders) {
                    if (f.selectable()) {
                        unselected.put(f.path(), store.status(f.path()));
                    }
                }
                assertThat(unselected)
                        .containsKeys(
                                FolderPath.INBOX,
                                FolderPath.of("Sent"),
                                FolderPath.of("Archiv", "2024"),
                                FolderPath.of("Leer"));
                for (Map.Entry<FolderPath, FolderStatus> e : unselected.entrySet()) {
                    try (MailFolder folder = store.openFolder(e.getKey())) {
                        assertThat(e.getValue()).as(e.getKey().toString()).isEqualTo(folder.status());
                    }
                }
                assertThat(unselected.get(FolderPath.INBOX).messageCount()).isEqualTo(3);
                assertThat(unselected.get(FolderPath.of("Sent")).highestModSeq())
                        .isNotNull();
            }
        }
        assertThat(listings.get(true)).isEqualTo(listings.get(false));
        assertThat(listings.get(true))
                .filteredOn(f -> f.path().equals(FolderPath.of("Sent")))
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.specialUse()).isEqualTo(SpecialUse.SENT);
                    assertThat(f.subscribed()).isTrue();
                });
    }

    @Test
    void aStatusAfterAnAppendIsAskedAnewNotTakenFromTheListing() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(withListStatus, "u2")) {
            store.createFolder(FolderPath.of("Neu"));
            store.listFolders();
            FolderStatus listed = store.status(FolderPath.of("Neu"));
            append(store, FolderPath.of("Neu"), 2);
            FolderStatus after = store.status(FolderPath.of("Neu"));
            assertThat(after.messageCount()).isEqualTo(listed.messageCount() + 2);
            assertThat(after.nextUid().value()).isEqualTo(listed.nextUid().value() + 2);
            // A new listing, with the folder still as it is: the same status as the server's STATUS.
            store.listFolders();
            assertThat(store.status(FolderPath.of("Neu"))).isEqualTo(after);
        }
    }
}
