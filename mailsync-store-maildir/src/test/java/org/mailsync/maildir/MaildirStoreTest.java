package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.TestMessages;

/** What the Maildir store does beyond the store contract: files of other programs, locks, limits. */
class MaildirStoreTest {
    private static final Instant DATE = Instant.parse("2024-02-29T13:14:15Z");

    @TempDir
    Path root;

    private MaildirStore store() {
        return MaildirStore.builder().root(root).build();
    }

    private static List<MessageInfo> list(MailFolder folder) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        folder.list(MessageQuery.all(), all::addAll);
        return all;
    }

    private static byte[] read(MailFolder folder, MessageUid uid) throws Exception {
        try (RawMessage raw = folder.read(uid).orElseThrow()) {
            return raw.toByteArray();
        }
    }

    private static MessageUid append(MailFolder folder, byte[] bytes, Flags flags) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            return folder.append(new AppendRequest(raw, flags, DATE)).orElseThrow();
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private Path deliver(String subdir, String name, String content, Instant mtime) throws Exception {
        Path file = root.resolve(subdir).resolve(name);
        Files.write(file, ascii(content));
        Files.setLastModifiedTime(file, FileTime.from(mtime));
        return file;
    }

    @Test
    void filesThatAnotherProgramDeliveredGetTheNextUidsInDeliveryOrderAndAreServedAsCrlf() throws Exception {
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            MessageUid ours = append(inbox, TestMessages.simple("ours", "x"), Flags.NONE);
            // As postfix's local delivery and procmail write them: LF line ends, no S= or W=.
            deliver("new", "1700000002.V801I12M3.host", "Subject: later\n\nb\n", DATE);
            deliver("cur", "1700000001.12345_0.host:2,RS", "Subject: earlier\n\na\n", DATE);
            List<MessageInfo> infos = list(inbox);
            assertThat(infos)
                    .extracting(m -> m.uid().value())
                    .containsExactly(ours.value(), ours.value() + 1, ours.value() + 2);
            MessageInfo earlier = infos.get(1);
            assertThat(read(inbox, earlier.uid())).isEqualTo(ascii("Subject: earlier\r\n\r\na\r\n"));
            assertThat(earlier.size()).isEqualTo(23);
            assertThat(earlier.flags()).isEqualTo(Flags.of(Flag.ANSWERED, Flag.SEEN));
            assertThat(earlier.internalDate()).isEqualTo(DATE);
        }
        // The uids and the counted CRLF size are kept in the uidlist, in Dovecot's W field.
        assertThat(Files.readString(root.resolve("dovecot-uidlist")))
                .contains(" W23 :1700000001.12345_0.host\n")
                .contains(" W21 :1700000002.V801I12M3.host\n");
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox))
                    .extracting(m -> m.size())
                    .containsExactly((long) TestMessages.simple("ours", "x").length, 23L, 21L);
        }
    }

    @Test
    void aTreeWithoutUidlistsIsNumberedFromOneWithANewUidValidity() throws Exception {
        Files.createDirectories(root.resolve("cur"));
        Files.createDirectories(root.resolve("new"));
        Files.createDirectories(root.resolve("tmp"));
        deliver("cur", "1600000003.M1P1.h,S=3:2,S", "a\r\n", DATE);
        deliver("cur", "1600000001.M1P1.h,S=3:2,", "b\r\n", DATE);
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.status().nextUid()).isEqualTo(MessageUid.of(3));
            assertThat(read(inbox, MessageUid.of(1))).isEqualTo(ascii("b\r\n"));
            assertThat(inbox.status().generation().value()).isPositive();
        }
    }

    @Test
    void flagLettersThatNoFlagStandsForSurviveAFlagChange() throws Exception {
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            // mutt's P (passed) has no IMAP flag; Dovecot ignores it and so does mailsync, keeping it.
            deliver("cur", "1700000001.M1P1.h,S=3,W=3:2,PS", "a\r\n", DATE);
            MessageInfo info = list(inbox).get(0);
            assertThat(info.flags()).isEqualTo(Flags.of(Flag.SEEN));
            inbox.storeFlags(List.of(info.uid()), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            try (Stream<Path> files = Files.list(root.resolve("cur"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactly("1700000001.M1P1.h,S=3,W=3:2,FPS");
            }
        }
    }

    @Test
    void aKeywordBeyondTheTwentySixLettersIsDroppedAndTheRestKept() throws Exception {
        Set<String> many = new HashSet<>();
        for (int i = 0; i < 27; i++) {
            many.add("kw" + i);
        }
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            append(inbox, TestMessages.simple("kw", "x"), Flags.of(Set.of(Flag.SEEN), many));
            Flags kept = list(inbox).get(0).flags();
            assertThat(kept.keywords()).hasSize(26).isSubsetOf(many);
            assertThat(kept.contains(Flag.SEEN)).isTrue();
        }
        assertThat(Files.readAllLines(root.resolve("dovecot-keywords")))
                .hasSize(26)
                .contains("0 kw0");
    }

    @Test
    void aLockLeftByADeadProcessIsBrokenAndALiveOneGivesUpWithWhatToDo() throws Exception {
        Path lock = root.resolve("dovecot-uidlist.lock");
        try (MaildirStore store = MaildirStore.builder()
                        .root(root)
                        .lockStaleAfter(Duration.ofSeconds(60))
                        .lockTimeout(Duration.ofMillis(300))
                        .build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            inbox.status();
            Files.createFile(lock);
            assertThatThrownBy(() -> append(inbox, TestMessages.simple("a", "b"), Flags.NONE))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining(store.account())
                    .hasMessageContaining("dovecot-uidlist.lock")
                    .hasMessageContaining("remove the file");
            assertThat(Files.list(root.resolve("new"))).isEmpty();
            assertThat(Files.list(root.resolve("tmp"))).isEmpty();
            Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(61)));
            append(inbox, TestMessages.simple("a", "b"), Flags.NONE);
            assertThat(lock).doesNotExist();
            assertThat(list(inbox)).hasSize(1);
        }
    }

    @Test
    void aFailingMessageInABatchLeavesNothingBehind() throws Exception {
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            RawMessage good = RawMessage.of(TestMessages.simple("good", "x"));
            RawMessage closed = RawMessage.of(TestMessages.simple("closed", "y"));
            closed.close();
            assertThatThrownBy(() -> inbox.appendAll(List.of(
                            new AppendRequest(good, Flags.NONE, DATE), new AppendRequest(closed, Flags.NONE, DATE))))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(inbox.status().messageCount()).isZero();
            assertThat(Files.list(root.resolve("tmp"))).isEmpty();
            assertThat(Files.list(root.resolve("new"))).isEmpty();
        }
    }

    @Test
    void subscriptionsAreKeptInDovecotsFileFormat() throws Exception {
        try (MaildirStore store = store()) {
            store.createFolder(FolderPath.of("Entwürfe"));
            store.createFolder(FolderPath.of("Archive", "2023"));
            store.setSubscribed(FolderPath.of("Entwürfe"), true);
            store.setSubscribed(FolderPath.of("Archive", "2023"), true);
            store.setSubscribed(FolderPath.of("Archive", "2023"), false);
            store.setSubscribed(FolderPath.INBOX, true);
        }
        assertThat(Files.readString(root.resolve("subscriptions"))).isEqualTo("V\t2\n\nEntw&APw-rfe\nINBOX\n");
        try (MaildirStore store = store()) {
            assertThat(store.listFolders())
                    .filteredOn(FolderInfo::subscribed)
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.INBOX, FolderPath.of("Entwürfe"));
        }
    }

    @Test
    void foldersAreStoredInModifiedUtf7AndParentsThatAreNoMaildirAreNotSelectable() throws Exception {
        try (MaildirStore store = store()) {
            store.createFolder(FolderPath.of("Entwürfe"));
            assertThat(root.resolve(".Entw&APw-rfe/cur")).isDirectory();
            assertThat(root.resolve(".Entw&APw-rfe/maildirfolder")).exists();
            Files.createDirectories(root.resolve(".Lists &- Co.sub/cur"));
            assertThat(store.listFolders())
                    .contains(
                            new FolderInfo(FolderPath.of("Lists & Co"), false, null, false),
                            new FolderInfo(FolderPath.of("Lists & Co", "sub"), true, null, false),
                            new FolderInfo(FolderPath.of("Entwürfe"), true, null, false));
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("Lists & Co")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("cannot hold messages");
        }
    }

    @Test
    void aDamagedUidlistIsAFolderErrorThatNamesTheFile() throws Exception {
        try (MaildirStore store = store()) {
            store.createFolder(FolderPath.of("Broken"));
            Files.writeString(root.resolve(".Broken/dovecot-uidlist"), "3 V12 N1\nnot a line\n");
            try (MailFolder folder = store.openFolder(FolderPath.of("Broken"))) {
                assertThatThrownBy(folder::status)
                        .isInstanceOf(FolderUnusableException.class)
                        .hasMessageContaining(".Broken/dovecot-uidlist is damaged")
                        .hasMessageContaining("not a line");
            }
        }
    }

    @Test
    void aMissingRootIsAnErrorWhenTheStoreMayNotCreateIt() throws Exception {
        Path missing = root.resolve("typo");
        try (MaildirStore store =
                MaildirStore.builder().root(missing).createRoot(false).build()) {
            assertThatThrownBy(store::listFolders)
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("no Maildir at " + missing);
        }
        assertThat(missing).doesNotExist();
    }

    @Test
    void theBuilderRefusesASettingGivenTwiceAndNeedsARoot() {
        assertThatThrownBy(() -> MaildirStore.builder().fsync(false).fsync(true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fsync was already set to false");
        assertThatThrownBy(() -> MaildirStore.builder().build()).hasMessageContaining("root must be set");
        assertThat(MaildirStore.builder().root(root).build().account()).isEqualTo("maildir:" + root);
    }

    @Test
    void linesOfDeletedMessagesAreDroppedFromTheUidlistOnceTheyPileUp() throws Exception {
        try (MaildirStore store = MaildirStore.builder().root(root).fsync(false).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageUid> uids = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                uids.add(append(inbox, TestMessages.simple("m" + i, "x"), Flags.NONE));
            }
            inbox.delete(uids.subList(0, 99));
            assertThat(list(inbox)).extracting(MessageInfo::uid).containsExactly(uids.get(99));
            assertThat(Files.readAllLines(root.resolve("dovecot-uidlist")))
                    .hasSize(2)
                    .first()
                    .asString()
                    .contains(" N101 ");
            assertThat(append(inbox, TestMessages.simple("next", "x"), Flags.NONE))
                    .isEqualTo(MessageUid.of(101));
        }
    }
}
