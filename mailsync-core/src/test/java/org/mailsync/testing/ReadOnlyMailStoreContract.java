package org.mailsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;
import org.mailsync.spi.support.Headers;

/**
 * The read part of {@link MailStoreContract}, for stores that are a source only (POP3): messages
 * arrive by the server's own route ({@link #deposit}), and the store must list them with ids that
 * ascend and last across sessions, read them byte for byte, tell their header blocks, and refuse
 * every write with a folder error. Listed sizes are those of the bytes read, at the latest once a
 * message was read (a POP3 server may list other sizes than it sends; GreenMail lists the body
 * alone). A store's test extends this class; each call of {@link
 * #openStore()} opens a new store (a new session) over the same place, empty at the start of each
 * test.
 */
public abstract class ReadOnlyMailStoreContract {
    private final List<MailStore> opened = new ArrayList<>();

    /** Opens a store over this test's place; the contract closes it. */
    protected abstract MailStore openStore() throws Exception;

    /** Puts a message into the INBOX by the server's own route, as mail arrives. */
    protected abstract void deposit(byte[] message) throws Exception;

    private MailStore store() throws Exception {
        MailStore store = openStore();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() throws Exception {
        for (MailStore store : opened) {
            store.close();
        }
    }

    private static List<MessageInfo> listAll(MailFolder folder) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        folder.list(MessageQuery.all(), all::addAll);
        return all;
    }

    private static byte[] read(MailFolder folder, MessageUid uid) throws Exception {
        try (RawMessage raw = folder.read(uid).orElseThrow()) {
            assertThat(raw.size()).isEqualTo(raw.toByteArray().length);
            return raw.toByteArray();
        }
    }

    /**
     * Messages with the shapes that break naive mail code, dot lines included (POP3 stuffs them).
     * A test server with a known quirk may leave one out, naming the quirk; real servers get all.
     */
    protected Map<String, byte[]> shapes() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("simple", TestMessages.simple("hello", "line one\r\nline two"));
        m.put("eight-bit headers", TestMessages.eightBitHeaders());
        m.put("empty body", TestMessages.emptyBody());
        m.put("long line", TestMessages.longLine(10_000));
        m.put(
                "dot lines",
                ("From: a@example.org\r\nSubject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\n...\r\nend\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        m.put("several megabytes", TestMessages.withAttachment(3 * 1024 * 1024, 11));
        return m;
    }

    @Test
    void inboxIsTheOnlyFolderAndOpensEmpty() throws Exception {
        MailStore store = store();
        assertThat(store.listFolders()).extracting(FolderInfo::path).containsExactly(FolderPath.INBOX);
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.status().messageCount()).isZero();
            assertThat(listAll(inbox)).isEmpty();
        }
    }

    @Test
    void messagesReadByteForByteWithTheirListedSizes() throws Exception {
        Map<String, byte[]> shapes = shapes();
        for (byte[] message : shapes.values()) {
            deposit(message);
        }
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = listAll(inbox);
            assertThat(all).hasSize(shapes.size());
            List<byte[]> expected = new ArrayList<>(shapes.values());
            for (int i = 0; i < all.size(); i++) {
                byte[] bytes = read(inbox, all.get(i).uid());
                assertThat(bytes)
                        .as("message %s (%s)", i, new ArrayList<>(shapes.keySet()).get(i))
                        .isEqualTo(expected.get(i));
                assertThat(all.get(i).flags()).isEqualTo(Flags.NONE);
            }
        }
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = listAll(inbox);
            List<byte[]> expected = new ArrayList<>(shapes.values());
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).size()).as("size of message %s", i).isEqualTo(expected.get(i).length);
            }
        }
    }

    @Test
    void headerBlocksAreThoseOfTheMessages() throws Exception {
        deposit(TestMessages.simple("headers", "body text"));
        deposit(TestMessages.eightBitHeaders());
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = listAll(inbox);
            Map<MessageUid, byte[]> headers = new LinkedHashMap<>();
            inbox.readHeaders(all.stream().map(MessageInfo::uid).toList(), headers::put);
            assertThat(headers).hasSize(2);
            for (MessageInfo m : all) {
                try (RawMessage raw = inbox.read(m.uid()).orElseThrow()) {
                    assertThat(headers.get(m.uid())).isEqualTo(Headers.readHeaderBlock(raw));
                }
            }
        }
    }

    @Test
    void readingAMissingIdIsEmptyAndReadAllLeavesItOut() throws Exception {
        deposit(TestMessages.simple("only", "one"));
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            FolderStatus status = inbox.status();
            MessageUid missing = status.nextUid().next();
            assertThat(inbox.read(missing)).isEmpty();
            MessageUid present = listAll(inbox).get(0).uid();
            List<MessageUid> read = new ArrayList<>();
            inbox.readAll(List.of(missing, present), (uid, raw) -> {
                raw.close();
                read.add(uid);
            });
            assertThat(read).containsExactly(present);
        }
    }

    @Test
    void idsGenerationAndBytesLastAcrossSessionsAndNewMailGetsHigherIds() throws Exception {
        byte[] first = TestMessages.simple("first", "x");
        deposit(first);
        deposit(TestMessages.simple("second", "y"));
        FolderStatus before;
        List<MessageInfo> listedBefore;
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            before = inbox.status();
            listedBefore = listAll(inbox);
        }
        assertThat(listedBefore).hasSize(2);
        assertThat(listedBefore.get(0).uid()).isLessThan(listedBefore.get(1).uid());
        assertThat(before.nextUid()).isGreaterThan(listedBefore.get(1).uid());
        deposit(TestMessages.simple("third", "z"));
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            FolderStatus after = inbox.status();
            List<MessageInfo> listedAfter = listAll(inbox);
            assertThat(after.generation()).isEqualTo(before.generation());
            assertThat(after.messageCount()).isEqualTo(3);
            assertThat(listedAfter.subList(0, 2))
                    .extracting(MessageInfo::uid)
                    .containsExactlyElementsOf(
                            listedBefore.stream().map(MessageInfo::uid).toList());
            assertThat(listedAfter.get(2).uid()).isGreaterThanOrEqualTo(before.nextUid());
            assertThat(after.nextUid()).isGreaterThan(listedAfter.get(2).uid());
            assertThat(read(inbox, listedBefore.get(0).uid())).isEqualTo(first);
            assertThat(listedAfter.get(0).internalDate())
                    .isEqualTo(listedBefore.get(0).internalDate());
        }
    }

    @Test
    void listsInBatchesFromAGivenId() throws Exception {
        for (int i = 0; i < 7; i++) {
            deposit(TestMessages.simple("batch " + i, "x" + i));
        }
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = listAll(inbox);
            List<Integer> sizes = new ArrayList<>();
            List<MessageInfo> fromThird = new ArrayList<>();
            inbox.list(new MessageQuery(all.get(2).uid(), null, 2), batch -> {
                sizes.add(batch.size());
                fromThird.addAll(batch);
            });
            assertThat(sizes).containsExactly(2, 2, 1);
            assertThat(fromThird).containsExactlyElementsOf(all.subList(2, 7));
        }
    }

    @Test
    void readingChangesNothingOnTheServer() throws Exception {
        deposit(TestMessages.simple("kept", "x"));
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            MessageUid uid = listAll(inbox).get(0).uid();
            read(inbox, uid);
        }
        try (MailFolder inbox = store().openFolder(FolderPath.INBOX)) {
            assertThat(listAll(inbox)).hasSize(1);
        }
    }

    @Test
    void everyWriteIsRefusedWithAFolderError() throws Exception {
        deposit(TestMessages.simple("a", "1"));
        MailStore store = store();
        assertThatThrownBy(() -> store.createFolder(FolderPath.of("Archive")))
                .isInstanceOf(FolderUnusableException.class)
                .hasMessageContaining(store.account());
        assertThatThrownBy(() -> store.openFolder(FolderPath.of("Archive")))
                .isInstanceOf(FolderUnusableException.class);
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(TestMessages.simple("b", "2"))) {
            MessageUid uid = listAll(inbox).get(0).uid();
            assertThatThrownBy(() -> inbox.append(new AppendRequest(raw, Flags.NONE, java.time.Instant.EPOCH)))
                    .isInstanceOf(FolderUnusableException.class);
            assertThatThrownBy(() -> inbox.delete(List.of(uid))).isInstanceOf(FolderUnusableException.class);
            assertThat(listAll(inbox)).hasSize(1);
        }
    }
}
