package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderSize;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.StoreCapacity;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * The size and quota preflight's questions (issue 17, part 4): GETQUOTAROOT (RFC 9208), APPENDLIMIT
 * (RFC 7889) in CAPABILITY and in STATUS, STATUS SIZE (RFC 8438) and its fallback, the sum of
 * RFC822.SIZE. A real Dovecot 2.3 with the quota plugin offers QUOTA and STATUS=SIZE but no
 * APPENDLIMIT; the scripted Courier-like server stands in for APPENDLIMIT and for servers that say
 * none of it.
 */
class CapacityAndSizesTest {
    private static final java.time.Instant DATE = java.time.Instant.parse("2024-03-01T10:00:00Z");

    @Test
    @Tag("dovecot")
    void aDovecotWithAQuotaReportsItsStorageUsedAndLimitAndStatusSize() throws Exception {
        try (DovecotServer dovecot = DovecotContractTest.Dovecots.startWithUsers(
                        "c", DovecotServer.Options.defaults().withQuota("storage=20M"));
                ImapStore store = DovecotContractTest.Dovecots.store(dovecot, "c1")) {
            assertThat(store.serverHas("QUOTA")).isTrue();
            assertThat(store.serverHas("STATUS=SIZE")).isTrue();
            long appended = appendTo(store, FolderPath.INBOX, 3, 300_000)
                    + appendTo(store, FolderPath.of("Archive"), 2, 100_000);

            StoreCapacity capacity = store.capacity();
            assertThat(capacity.storageLimit()).isEqualTo(20L * 1024 * 1024);
            // STORAGE is counted in KiB: what was appended, to within one KiB per message.
            assertThat(capacity.storageUsed()).isBetween(appended - 5 * 1024, appended + 5 * 1024);
            assertThat(capacity.messageLimit()).isNull(); // no message rule
            assertThat(capacity.maxMessageSize()).isNull(); // Dovecot 2.3 offers no APPENDLIMIT

            FolderSize inbox = store.folderSize(FolderPath.INBOX, 0);
            assertThat(inbox.messages()).isEqualTo(3);
            assertThat(inbox.bytes()).isEqualTo(listedBytes(store, FolderPath.INBOX));
        }
    }

    @Test
    void appendLimitAndQuotaFromAScriptedServer() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer()
                        .offer("APPENDLIMIT=1000")
                        .quotaRoot("\"User quota\" (STORAGE 512 1024 MESSAGE 3 10)");
                ImapStore store = CourierLikeSyncTest.target(server)) {
            StoreCapacity capacity = store.capacity();
            assertThat(capacity.maxMessageSize()).isEqualTo(1000);
            assertThat(capacity.storageUsed()).isEqualTo(512 * 1024);
            assertThat(capacity.storageLimit()).isEqualTo(1024 * 1024);
            assertThat(capacity.messagesUsed()).isEqualTo(3);
            assertThat(capacity.messageLimit()).isEqualTo(10);
            assertThat(server.commands()).anyMatch(c -> c.startsWith("GETQUOTAROOT"));
        }
    }

    @Test
    void aPerMailboxAppendLimitIsAskedOfInboxWithStatus() throws Exception {
        try (CourierLikeImapServer server =
                        new CourierLikeImapServer().offer("APPENDLIMIT").appendLimitInStatus("2048");
                ImapStore store = CourierLikeSyncTest.target(server)) {
            assertThat(store.capacity().maxMessageSize()).isEqualTo(2048);
            assertThat(server.commands()).anyMatch(c -> c.startsWith("STATUS") && c.contains("APPENDLIMIT"));
        }
        try (CourierLikeImapServer server =
                        new CourierLikeImapServer().offer("APPENDLIMIT").appendLimitInStatus("NIL");
                ImapStore store = CourierLikeSyncTest.target(server)) {
            assertThat(store.capacity()).isEqualTo(StoreCapacity.UNKNOWN);
        }
    }

    @Test
    void aServerThatSaysNothingHasAnUnknownCapacityAndSizesAreSummedFromRfc822Size() throws Exception {
        // Courier-like: QUOTA in CAPABILITY, but GETQUOTAROOT answered BAD; no APPENDLIMIT, no STATUS=SIZE.
        try (CourierLikeImapServer server = new CourierLikeImapServer();
                ImapStore store = CourierLikeSyncTest.target(server)) {
            assertThat(store.capacity()).isEqualTo(StoreCapacity.UNKNOWN);
            long appended = appendTo(store, FolderPath.INBOX, 3, 5_000);
            FolderSize size = store.folderSize(FolderPath.INBOX, 6_000);
            assertThat(size.messages()).isEqualTo(3);
            assertThat(size.bytes()).isEqualTo(appended);
            assertThat(size.largest()).isEqualTo(listedLargest(store, FolderPath.INBOX));
            assertThat(size.largerThanBound()).isEqualTo(2); // 5, 10, 15 KB
            assertThat(server.commands()).anyMatch(c -> c.startsWith("UID FETCH 1:* (UID RFC822.SIZE)"));
            assertThat(server.commands()).noneMatch(c -> c.contains("SIZE)") && c.startsWith("STATUS"));
        }
    }

    @Test
    void statusSizeIsUsedWhereOfferedAndSearchLargerFindsTheMessagesAboveTheBound() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().offer("STATUS=SIZE");
                ImapStore store = CourierLikeSyncTest.target(server)) {
            long appended = appendTo(store, FolderPath.INBOX, 3, 5_000);
            FolderSize plain = store.folderSize(FolderPath.INBOX, 0);
            assertThat(plain.bytes()).isEqualTo(appended);
            assertThat(plain.messages()).isEqualTo(3);
            assertThat(server.commands()).noneMatch(c -> c.startsWith("UID FETCH 1:*"));
            FolderSize bounded = store.folderSize(FolderPath.INBOX, 12_000);
            assertThat(bounded.largerThanBound()).isEqualTo(1);
            assertThat(bounded.largest()).isEqualTo(listedLargest(store, FolderPath.INBOX));
            assertThat(server.commands()).anyMatch(c -> c.startsWith("UID SEARCH LARGER 12000"));
        }
    }

    @Test
    void quotaAnswersAreReadDefensively() {
        // Two roots: the one with less room counts, each resource on its own.
        StoreCapacity two = ImapCapacity.quotas(
                List.of("* QUOTA \"user\" (STORAGE 100 1000 MESSAGE 1 100)", "* QUOTA \"domain\" (STORAGE 900 1000)"));
        assertThat(two.storageUsed()).isEqualTo(900 * 1024);
        assertThat(two.messageLimit()).isEqualTo(100);
        // Garbage, a negative and an absurd number leave the resource unknown, never a wrong fit.
        assertThat(ImapCapacity.quotas(List.of(
                        "* QUOTA x (STORAGE -1 10)", "* QUOTA y (STORAGE 1 99999999999999999999)", "* QUOTA z")))
                .isEqualTo(StoreCapacity.UNKNOWN);
        assertThat(ImapCapacity.items("* STATUS \"a (b)\" (MESSAGES 4 SIZE 1234 APPENDLIMIT NIL)"))
                .containsEntry("MESSAGES", 4L)
                .containsEntry("SIZE", 1234L)
                .doesNotContainKey("APPENDLIMIT");
    }

    /** Appends {@code count} messages of about {@code size}, 2 x size, ... bytes; returns their bytes. */
    private static long appendTo(ImapStore store, FolderPath path, int count, int size) throws Exception {
        if (!path.isInbox()) {
            store.createFolder(path);
        }
        long bytes = 0;
        try (MailFolder folder = store.openFolder(path)) {
            for (int i = 1; i <= count; i++) {
                byte[] message = TestMessages.withAttachment(size * i, i + size);
                bytes += message.length;
                try (RawMessage raw = RawMessage.of(message)) {
                    folder.append(new AppendRequest(raw, Flags.NONE, DATE));
                }
            }
        }
        return bytes;
    }

    private static List<MessageInfo> listed(ImapStore store, FolderPath path) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        try (MailFolder folder = store.openFolder(path)) {
            folder.list(MessageQuery.all(), all::addAll);
        }
        return all;
    }

    private static long listedBytes(ImapStore store, FolderPath path) throws Exception {
        return listed(store, path).stream().mapToLong(MessageInfo::size).sum();
    }

    private static long listedLargest(ImapStore store, FolderPath path) throws Exception {
        return listed(store, path).stream().mapToLong(MessageInfo::size).max().orElseThrow();
    }
}
