package org.mailsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.mailsync.Capability;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * The contract every {@link MailStore} keeps. A store's test extends this class and supplies
 * {@link #openStore()}: each call opens a new store (a new connection, a new instance over the
 * same directory) over the same empty-at-start place, fresh for each test.
 *
 * <p>Where a store lacks a capability, the matching case checks what the store promises instead
 * (keywords are dropped, no id is returned, no modseq is reported), and says so in its name: no
 * case is skipped.
 */
public abstract class MailStoreContract {
    private final List<MailStore> opened = new ArrayList<>();

    /** Opens a store over this test's place; the contract closes it. */
    protected abstract MailStore openStore() throws Exception;

    /** A folder name that this store cannot hold, if it has one (e.g. {@code ".."} on disk). */
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.empty();
    }

    /** The internal date that messages are appended with: whole seconds, well in the past. */
    protected static final Instant DATE = Instant.parse("2024-02-29T13:14:15Z");

    private MailStore store() throws Exception {
        if (opened.isEmpty()) {
            opened.add(openStore());
        }
        return opened.get(opened.size() - 1);
    }

    /** Closes the current store and opens a new one over the same place. */
    private MailStore reopen() throws Exception {
        store().close();
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

    private MailFolder folder(String... segments) throws Exception {
        FolderPath path = segments.length == 0 ? FolderPath.INBOX : FolderPath.of(List.of(segments));
        if (!path.isInbox()) {
            store().createFolder(path);
        }
        return store().openFolder(path);
    }

    private static MessageUid append(MailFolder folder, byte[] bytes, Flags flags) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            Optional<MessageUid> uid = folder.append(new AppendRequest(raw, flags, DATE));
            if (uid.isPresent()) {
                return uid.get();
            }
        }
        List<MessageInfo> all = listAll(folder);
        return all.get(all.size() - 1).uid();
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

    private void assertRoundTrip(byte[] bytes) throws Exception {
        try (MailFolder inbox = folder()) {
            MessageUid uid = append(inbox, bytes, Flags.NONE);
            assertThat(read(inbox, uid)).isEqualTo(bytes);
            MessageInfo info = listAll(inbox).stream()
                    .filter(m -> m.uid().equals(uid))
                    .findFirst()
                    .orElseThrow();
            assertThat(info.size()).isEqualTo(bytes.length);
        }
    }

    // ---- folders

    @Test
    void inboxExistsInEveryStore() throws Exception {
        assertThat(store().listFolders()).extracting(FolderInfo::path).contains(FolderPath.INBOX);
    }

    @Test
    void createsNestedFoldersWithTheirParents() throws Exception {
        store().createFolder(FolderPath.of("Archive", "2023", "Q1"));
        List<FolderPath> paths =
                store().listFolders().stream().map(FolderInfo::path).collect(Collectors.toList());
        assertThat(paths)
                .contains(
                        FolderPath.of("Archive"),
                        FolderPath.of("Archive", "2023"),
                        FolderPath.of("Archive", "2023", "Q1"));
        assertThat(paths.indexOf(FolderPath.of("Archive"))).isLessThan(paths.indexOf(FolderPath.of("Archive", "2023")));
        try (MailFolder leaf = store().openFolder(FolderPath.of("Archive", "2023", "Q1"))) {
            assertThat(leaf.status().messageCount()).isZero();
        }
    }

    @Test
    void createsFoldersWithNonAsciiNames() throws Exception {
        List<FolderPath> names = List.of(
                FolderPath.of("Gesendete Objekte"), FolderPath.of("Entwürfe"), FolderPath.of("Папка", "日本語 & Co"));
        for (FolderPath name : names) {
            store().createFolder(name);
        }
        List<FolderPath> listed =
                reopen().listFolders().stream().map(FolderInfo::path).toList();
        assertThat(listed).containsAll(names);
        for (FolderPath name : names) {
            try (MailFolder f = store().openFolder(name)) {
                append(f, TestMessages.simple("in " + name, "x"), Flags.NONE);
                assertThat(f.status().messageCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void creatingAnExistingFolderLeavesItAsItIs() throws Exception {
        try (MailFolder f = folder("Keep")) {
            append(f, TestMessages.simple("keep", "me"), Flags.NONE);
        }
        store().createFolder(FolderPath.of("Keep"));
        try (MailFolder f = store().openFolder(FolderPath.of("Keep"))) {
            assertThat(f.status().messageCount()).isEqualTo(1);
        }
    }

    @Test
    void openingAMissingFolderIsAFolderError() throws Exception {
        assertThatThrownBy(() -> store().openFolder(FolderPath.of("Does", "Not", "Exist")))
                .isInstanceOf(FolderUnusableException.class)
                .hasMessageContaining(store().account())
                .hasMessageContaining("Does/Not/Exist");
    }

    @Test
    void aNameTheStoreCannotHoldIsAFolderError() throws Exception {
        Optional<FolderPath> bad = unholdableFolder();
        if (bad.isEmpty()) {
            // The store holds any name FolderPath accepts: show that a hostile-looking one works.
            FolderPath odd = FolderPath.of("..", "x");
            store().createFolder(odd);
            assertThat(store().listFolders()).extracting(FolderInfo::path).contains(odd);
            return;
        }
        assertThatThrownBy(() -> store().createFolder(bad.get()))
                .isInstanceOf(FolderUnusableException.class)
                .hasMessageContaining(store().account());
    }

    @Test
    void storeLevelStatusAgreesWithTheOpenFolder() throws Exception {
        try (MailFolder f = folder("Status")) {
            append(f, TestMessages.simple("s", "1"), Flags.NONE);
            append(f, TestMessages.simple("t", "2"), Flags.NONE);
            FolderStatus open = f.status();
            FolderStatus closed = store().status(FolderPath.of("Status"));
            assertThat(closed.generation()).isEqualTo(open.generation());
            assertThat(closed.nextUid()).isEqualTo(open.nextUid());
            assertThat(closed.messageCount()).isEqualTo(2);
            assertThat(closed.highestModSeq()).isEqualTo(open.highestModSeq());
        }
    }

    @Test
    void folderSizeAgreesWithTheListingAndCountsMessagesAboveABound() throws Exception {
        try (MailFolder f = folder("Sizes")) {
            append(f, TestMessages.simple("small", "1"), Flags.NONE);
            append(f, TestMessages.simple("small too", "2"), Flags.NONE);
            append(f, TestMessages.withAttachment(20_000, 7), Flags.NONE);
            List<MessageInfo> listed = listAll(f);
            long bytes = listed.stream().mapToLong(MessageInfo::size).sum();
            long largest = listed.stream().mapToLong(MessageInfo::size).max().orElseThrow();
            long smallest = listed.stream().mapToLong(MessageInfo::size).min().orElseThrow();

            org.mailsync.FolderSize plain = store().folderSize(FolderPath.of("Sizes"), 0);
            assertThat(plain.messages()).isEqualTo(3);
            assertThat(plain.bytes()).isEqualTo(bytes);
            assertThat(plain.largerThanBound()).isZero();
            plain.optionalLargest().ifPresent(l -> assertThat(l).isEqualTo(largest));

            // A bound between the small messages and the large one: exactly the large one is above it.
            org.mailsync.FolderSize bounded = store().folderSize(FolderPath.of("Sizes"), (smallest + largest) / 2);
            assertThat(bounded.messages()).isEqualTo(3);
            assertThat(bounded.bytes()).isEqualTo(bytes);
            assertThat(bounded.largerThanBound()).isEqualTo(1);
            assertThat(bounded.largest()).isEqualTo(largest);
        }
        assertThat(store().folderSize(FolderPath.INBOX, 0).bytes()).isZero();
        assertThatThrownBy(() -> store().folderSize(FolderPath.of("No such folder"), 0))
                .isInstanceOf(FolderUnusableException.class);
    }

    @TestFactory
    Stream<DynamicTest> subscriptions() throws Exception {
        boolean declared = store().capabilities().has(Capability.SUBSCRIPTIONS);
        String name = declared
                ? "unsubscribing and subscribing show in the listing (store declares SUBSCRIPTIONS)"
                : "every folder is listed as subscribed and setSubscribed changes nothing (store lacks SUBSCRIPTIONS)";
        return Stream.of(DynamicTest.dynamicTest(name, () -> {
            FolderPath path = FolderPath.of("Subscribed");
            store().createFolder(path);
            store().setSubscribed(path, false);
            assertThat(subscribed(path)).isEqualTo(!declared);
            store().setSubscribed(path, true);
            assertThat(subscribed(path)).isTrue();
        }));
    }

    private boolean subscribed(FolderPath path) throws Exception {
        return reopen().listFolders().stream()
                .filter(f -> f.path().equals(path))
                .findFirst()
                .orElseThrow()
                .subscribed();
    }

    // ---- bytes

    @Test
    void crlfMessageRoundTripsByteForByte() throws Exception {
        assertRoundTrip(TestMessages.simple("hello", "line one\r\nline two"));
    }

    @Test
    void eightBitHeadersRoundTripByteForByte() throws Exception {
        assertRoundTrip(TestMessages.eightBitHeaders());
    }

    @Test
    void messageOfSeveralMegabytesRoundTripsByteForByte() throws Exception {
        assertRoundTrip(TestMessages.withAttachment(5 * 1024 * 1024, 7));
    }

    @Test
    void emptyBodyRoundTripsByteForByte() throws Exception {
        assertRoundTrip(TestMessages.emptyBody());
    }

    @Test
    void lineOfTenThousandCharactersRoundTripsByteForByte() throws Exception {
        assertRoundTrip(TestMessages.longLine(10_000));
    }

    @Test
    void messageWithoutMessageIdRoundTripsByteForByte() throws Exception {
        assertRoundTrip("From: a@example.org\r\nSubject: no id\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readingAMissingIdIsEmpty() throws Exception {
        try (MailFolder inbox = folder()) {
            MessageUid uid = append(inbox, TestMessages.simple("a", "b"), Flags.NONE);
            assertThat(inbox.read(MessageUid.of(uid.value() + 1000))).isEmpty();
        }
    }

    @Test
    void readAllAndReadHeadersLeaveOutMissingIds() throws Exception {
        try (MailFolder inbox = folder()) {
            byte[] bytes = TestMessages.simple("headers", "body text");
            MessageUid uid = append(inbox, bytes, Flags.NONE);
            MessageUid missing = MessageUid.of(uid.value() + 1000);
            List<MessageUid> seen = new ArrayList<>();
            inbox.readAll(List.of(uid, missing), (id, raw) -> {
                try (raw) {
                    seen.add(id);
                    assertThat(raw.toByteArray()).isEqualTo(bytes);
                }
            });
            assertThat(seen).containsExactly(uid);
            List<String> headers = new ArrayList<>();
            inbox.readHeaders(
                    List.of(uid, missing), (id, block) -> headers.add(new String(block, StandardCharsets.UTF_8)));
            assertThat(headers).hasSize(1);
            assertThat(headers.get(0)).contains("Subject: headers").doesNotContain("body text");
        }
    }

    // ---- metadata, ids, listing

    @Test
    void internalDateIsKeptToTheSecond() throws Exception {
        try (MailFolder inbox = folder()) {
            MessageUid uid = append(inbox, TestMessages.simple("dated", "x"), Flags.NONE);
            assertThat(listAll(inbox))
                    .filteredOn(m -> m.uid().equals(uid))
                    .extracting(MessageInfo::internalDate)
                    .containsExactly(DATE);
        }
    }

    @Test
    void statusCountsMessagesAndNextIdIsAboveEveryId() throws Exception {
        try (MailFolder inbox = folder()) {
            for (int i = 0; i < 3; i++) {
                append(inbox, TestMessages.simple("m" + i, "x"), Flags.NONE);
            }
            FolderStatus status = inbox.status();
            assertThat(status.messageCount()).isEqualTo(3);
            for (MessageInfo m : listAll(inbox)) {
                assertThat(m.uid()).isLessThan(status.nextUid());
            }
        }
    }

    @Test
    void idsAscendAndNewMessagesGetHigherIds() throws Exception {
        try (MailFolder inbox = folder()) {
            MessageUid first = append(inbox, TestMessages.simple("first", "x"), Flags.NONE);
            MessageUid second = append(inbox, TestMessages.simple("second", "y"), Flags.NONE);
            assertThat(second).isGreaterThan(first);
            assertThat(listAll(inbox)).extracting(MessageInfo::uid).containsExactly(first, second);
        }
    }

    @Test
    void listsInBatchesFromAGivenId() throws Exception {
        try (MailFolder f = folder("Batches")) {
            List<MessageUid> uids = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                uids.add(append(f, TestMessages.simple("batch " + i, "x" + i), Flags.NONE));
            }
            List<Integer> sizes = new ArrayList<>();
            List<MessageUid> listed = new ArrayList<>();
            f.list(MessageQuery.all().withBatchSize(10), batch -> {
                sizes.add(batch.size());
                batch.forEach(m -> listed.add(m.uid()));
            });
            assertThat(sizes).containsExactly(10, 10, 5);
            assertThat(listed).isEqualTo(uids);
            List<MessageUid> tail = new ArrayList<>();
            f.list(MessageQuery.from(uids.get(20)), batch -> batch.forEach(m -> tail.add(m.uid())));
            assertThat(tail).isEqualTo(uids.subList(20, 25));
        }
    }

    @Test
    void idsGenerationAndBytesAreStableAcrossReopeningTheStore() throws Exception {
        byte[] bytes = TestMessages.simple("stable", "x");
        MessageUid uid;
        FolderStatus before;
        try (MailFolder f = folder("Stable")) {
            uid = append(f, bytes, Flags.of(Flag.SEEN));
            append(f, TestMessages.simple("other", "y"), Flags.NONE);
            f.storeFlags(List.of(uid), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            before = f.status();
        }
        try (MailFolder f = reopen().openFolder(FolderPath.of("Stable"))) {
            FolderStatus after = f.status();
            assertThat(after.generation()).isEqualTo(before.generation());
            assertThat(after.nextUid()).isEqualTo(before.nextUid());
            assertThat(read(f, uid)).isEqualTo(bytes);
            assertThat(listAll(f).get(0).flags()).isEqualTo(Flags.of(Flag.SEEN, Flag.FLAGGED));
        }
    }

    @TestFactory
    Stream<DynamicTest> appendReturnsTheNewId() throws Exception {
        boolean declared = store().capabilities().has(Capability.APPEND_UID);
        String name = declared
                ? "append returns the id that listing shows (store declares APPEND_UID)"
                : "append returns no id (store lacks APPEND_UID)";
        return Stream.of(DynamicTest.dynamicTest(name, () -> {
            try (MailFolder inbox = folder();
                    RawMessage raw = RawMessage.of(TestMessages.simple("id", "x"))) {
                Optional<MessageUid> uid = inbox.append(new AppendRequest(raw, Flags.NONE, DATE));
                if (declared) {
                    assertThat(uid).isPresent();
                    assertThat(listAll(inbox)).extracting(MessageInfo::uid).containsExactly(uid.get());
                } else {
                    assertThat(uid).isEmpty();
                    assertThat(listAll(inbox)).hasSize(1);
                }
            }
        }));
    }

    @Test
    void appendAllAppendsInOrderWithOneResultEach() throws Exception {
        try (MailFolder f = folder("Many");
                RawMessage a = RawMessage.of(TestMessages.simple("a", "1"));
                RawMessage b = RawMessage.of(TestMessages.simple("b", "2"))) {
            List<Optional<MessageUid>> ids = f.appendAll(
                    List.of(new AppendRequest(a, Flags.of(Flag.SEEN), DATE), new AppendRequest(b, Flags.NONE, DATE)));
            assertThat(ids).hasSize(2);
            List<MessageInfo> all = listAll(f);
            assertThat(all).hasSize(2);
            assertThat(read(f, all.get(0).uid())).isEqualTo(TestMessages.simple("a", "1"));
            assertThat(all.get(0).flags()).isEqualTo(Flags.of(Flag.SEEN));
            assertThat(read(f, all.get(1).uid())).isEqualTo(TestMessages.simple("b", "2"));
        }
    }

    // ---- flags

    @Test
    void systemFlagsRoundTripOnAppendAndStore() throws Exception {
        try (MailFolder inbox = folder()) {
            Flags all = Flags.of(Flag.SEEN, Flag.ANSWERED, Flag.FLAGGED, Flag.DRAFT);
            MessageUid uid = append(inbox, TestMessages.simple("flags", "x"), all);
            assertThat(listAll(inbox).get(0).flags()).isEqualTo(all);
            inbox.storeFlags(List.of(uid), FlagsUpdateMode.REMOVE, Flags.of(Flag.ANSWERED, Flag.DRAFT));
            assertThat(listAll(inbox).get(0).flags()).isEqualTo(Flags.of(Flag.SEEN, Flag.FLAGGED));
            inbox.storeFlags(List.of(uid), FlagsUpdateMode.ADD, Flags.of(Flag.DELETED));
            assertThat(listAll(inbox).get(0).flags()).isEqualTo(Flags.of(Flag.SEEN, Flag.FLAGGED, Flag.DELETED));
            inbox.storeFlags(List.of(uid), FlagsUpdateMode.REPLACE, Flags.of(Flag.ANSWERED));
            assertThat(listAll(inbox).get(0).flags()).isEqualTo(Flags.of(Flag.ANSWERED));
            inbox.storeFlags(List.of(uid, MessageUid.of(uid.value() + 99)), FlagsUpdateMode.REPLACE, Flags.NONE);
            assertThat(listAll(inbox).get(0).flags()).isEqualTo(Flags.NONE);
        }
    }

    @TestFactory
    Stream<DynamicTest> keywords() throws Exception {
        boolean declared = store().capabilities().has(Capability.KEYWORDS);
        Flags withKeywords = Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded", "Work", "$label1"));
        if (declared) {
            return Stream.of(
                    DynamicTest.dynamicTest("keywords round-trip on append and store (store declares KEYWORDS)", () -> {
                        try (MailFolder inbox = folder()) {
                            MessageUid uid = append(inbox, TestMessages.simple("kw", "x"), withKeywords);
                            assertThat(listAll(inbox).get(0).flags()).isEqualTo(withKeywords);
                            inbox.storeFlags(List.of(uid), FlagsUpdateMode.REMOVE, Flags.of(Set.of(), Set.of("Work")));
                            inbox.storeFlags(List.of(uid), FlagsUpdateMode.ADD, Flags.of(Set.of(), Set.of("$Junk")));
                            Flags expected = Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded", "$label1", "$Junk"));
                            assertThat(listAll(inbox).get(0).flags()).isEqualTo(expected);
                            assertThat(reopen().openFolder(FolderPath.INBOX)).satisfies(f -> {
                                try (f) {
                                    assertThat(listAll(f).get(0).flags()).isEqualTo(expected);
                                }
                            });
                        }
                    }));
        }
        return Stream.of(
                DynamicTest.dynamicTest("keywords are dropped, system flags kept (store lacks KEYWORDS)", () -> {
                    try (MailFolder inbox = folder()) {
                        append(inbox, TestMessages.simple("kw", "x"), withKeywords);
                        assertThat(listAll(inbox).get(0).flags()).isEqualTo(Flags.of(Flag.SEEN));
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> modSeq() throws Exception {
        if (store().capabilities().has(Capability.MODSEQ)) {
            return Stream.of(
                    DynamicTest.dynamicTest("changedSince lists only changed messages (store declares MODSEQ)", () -> {
                        try (MailFolder inbox = folder()) {
                            append(inbox, TestMessages.simple("a", "1"), Flags.NONE);
                            MessageUid b = append(inbox, TestMessages.simple("b", "2"), Flags.NONE);
                            append(inbox, TestMessages.simple("c", "3"), Flags.NONE);
                            ModSeq before = inbox.status().highestModSeq();
                            assertThat(before).isNotNull();
                            inbox.storeFlags(List.of(b), FlagsUpdateMode.ADD, Flags.of(Flag.SEEN));
                            assertThat(inbox.status().highestModSeq()).isGreaterThan(before);
                            List<MessageInfo> changed = new ArrayList<>();
                            inbox.list(MessageQuery.changedSince(before), changed::addAll);
                            assertThat(changed).extracting(MessageInfo::uid).containsExactly(b);
                            assertThat(changed.get(0).modSeq()).isGreaterThan(before);
                        }
                    }));
        }
        return Stream.of(DynamicTest.dynamicTest("status and listing carry no modseq (store lacks MODSEQ)", () -> {
            try (MailFolder inbox = folder()) {
                append(inbox, TestMessages.simple("a", "1"), Flags.NONE);
                assertThat(inbox.status().highestModSeq()).isNull();
                assertThat(listAll(inbox).get(0).modSeq()).isNull();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> maxMessageSize() throws Exception {
        var max = store().capabilities().maxMessageSize();
        if (max.isPresent()) {
            return Stream.of(DynamicTest.dynamicTest(
                    "a message over the declared limit is rejected, naming the folder (store declares "
                            + max.getAsLong() + " bytes)",
                    () -> {
                        try (MailFolder inbox = folder();
                                RawMessage big =
                                        RawMessage.of(TestMessages.withAttachment((int) max.getAsLong() + 1000, 3))) {
                            assertThatThrownBy(() -> inbox.append(new AppendRequest(big, Flags.NONE, DATE)))
                                    .isInstanceOf(MessageRejectedException.class)
                                    .hasMessageContaining("INBOX");
                            assertThat(inbox.status().messageCount()).isZero();
                        }
                    }));
        }
        return Stream.of(DynamicTest.dynamicTest("a 12 MB message is accepted (store declares no size limit)", () -> {
            assertRoundTrip(TestMessages.withAttachment(12 * 1024 * 1024, 5));
        }));
    }

    @TestFactory
    Stream<DynamicTest> vanishedSince() throws Exception {
        if (store().capabilities().has(Capability.VANISHED)) {
            return Stream.of(DynamicTest.dynamicTest(
                    "vanishedSince names what was expunged after the modseq (store declares VANISHED)", () -> {
                        try (MailFolder f = folder("Vanish")) {
                            MessageUid a = append(f, TestMessages.simple("a", "1"), Flags.NONE);
                            MessageUid b = append(f, TestMessages.simple("b", "2"), Flags.NONE);
                            MessageUid c = append(f, TestMessages.simple("c", "3"), Flags.NONE);
                            ModSeq before = f.status().highestModSeq();
                            f.delete(List.of(b));
                            Set<MessageUid> gone = f.vanishedSince(before).orElseThrow();
                            assertThat(gone).contains(b).doesNotContain(a, c);
                        }
                    }));
        }
        return Stream.of(DynamicTest.dynamicTest("vanishedSince is empty (store lacks VANISHED)", () -> {
            try (MailFolder f = folder("Vanish")) {
                MessageUid a = append(f, TestMessages.simple("a", "1"), Flags.NONE);
                f.delete(List.of(a));
                assertThat(f.vanishedSince(ModSeq.of(1))).isEmpty();
            }
        }));
    }

    // ---- delete

    @Test
    void deleteRemovesExactlyTheGivenMessages() throws Exception {
        try (MailFolder f = folder("Delete")) {
            MessageUid a = append(f, TestMessages.simple("a", "1"), Flags.NONE);
            MessageUid b = append(f, TestMessages.simple("b", "2"), Flags.NONE);
            MessageUid c = append(f, TestMessages.simple("c", "3"), Flags.of(Flag.DELETED));
            try {
                f.delete(List.of(b, MessageUid.of(c.value() + 50)));
            } catch (FolderUnusableException e) {
                // A store that cannot remove single messages (IMAP without UIDPLUS: only EXPUNGE
                // of every \Deleted one) refuses rather than remove c too, and changes nothing.
                assertThat(listAll(f)).extracting(MessageInfo::uid).containsExactly(a, b, c);
                f.storeFlags(List.of(c), FlagsUpdateMode.REMOVE, Flags.of(Flag.DELETED));
                f.delete(List.of(b, MessageUid.of(c.value() + 50)));
            }
            assertThat(listAll(f)).extracting(MessageInfo::uid).containsExactly(a, c);
            assertThat(f.read(b)).isEmpty();
            assertThat(f.status().messageCount()).isEqualTo(2);
            MessageUid d = append(f, TestMessages.simple("d", "4"), Flags.NONE);
            assertThat(d).isGreaterThan(c);
        }
    }

    // ---- move

    @TestFactory
    Stream<DynamicTest> move() throws Exception {
        boolean declared = store().capabilities().has(Capability.APPEND_UID);
        String name = declared
                ? "move takes messages with bytes, flags and date into another folder and returns their new ids"
                        + " (store declares APPEND_UID)"
                : "move takes messages with bytes, flags and date into another folder (store lacks APPEND_UID)";
        return Stream.of(DynamicTest.dynamicTest(name, () -> {
            FolderPath from = FolderPath.of("MoveFrom");
            FolderPath to = FolderPath.of("MoveTo");
            byte[] bytesA = TestMessages.simple("move a", "1");
            byte[] bytesB = TestMessages.simple("move b", "2");
            byte[] bytesC = TestMessages.simple("move c", "3");
            Flags flagsA = Flags.of(Flag.SEEN, Flag.ANSWERED);
            Flags flagsC = Flags.of(Flag.FLAGGED);
            MessageUid a;
            MessageUid b;
            MessageUid c;
            try (MailFolder source = folder("MoveFrom");
                    MailFolder target = folder("MoveTo")) {
                a = append(source, bytesA, flagsA);
                b = append(source, bytesB, Flags.NONE);
                c = append(source, bytesC, flagsC);
                assertThat(target.status().messageCount()).isZero();
            }
            MessageUid missing = MessageUid.of(c.value() + 1000);

            Map<MessageUid, Optional<MessageUid>> moved = store().move(from, List.of(c, a, missing), to);

            assertThat(moved.keySet()).containsExactlyInAnyOrder(a, c);
            try (MailFolder source = store().openFolder(from);
                    MailFolder target = store().openFolder(to)) {
                assertThat(listAll(source)).extracting(MessageInfo::uid).containsExactly(b);
                assertThat(read(source, b)).isEqualTo(bytesB);
                List<MessageInfo> arrived = listAll(target);
                assertThat(arrived).hasSize(2);
                assertThat(arrived).extracting(MessageInfo::internalDate).containsOnly(DATE);
                List<byte[]> bodies = new ArrayList<>();
                for (MessageInfo m : arrived) {
                    byte[] bytes = read(target, m.uid());
                    bodies.add(bytes);
                    Flags expected = java.util.Arrays.equals(bytes, bytesA) ? flagsA : flagsC;
                    assertThat(m.flags()).as("flags of %s", m.uid()).isEqualTo(expected);
                }
                assertThat(bodies).containsExactlyInAnyOrder(bytesA, bytesC);
                if (declared) {
                    assertThat(moved.get(a)).isPresent();
                    assertThat(moved.get(c)).isPresent();
                    assertThat(read(target, moved.get(a).get())).isEqualTo(bytesA);
                    assertThat(read(target, moved.get(c).get())).isEqualTo(bytesC);
                }
            }
        }));
    }
}
