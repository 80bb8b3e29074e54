package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.maildir.MaildirShapesTest.deliver;
import static org.mailsync.maildir.MaildirShapesTest.list;
import static org.mailsync.maildir.MaildirShapesTest.read;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.SkippedItem;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * Symbolic links are never followed, in a source or a target, and every entry under the root is
 * either read or named as skipped with the reason (issue 12.1, 12.9, 11.8).
 */
class MaildirLinksAndSkipsTest {
    private static final String SECRET = "root:$6$secret-hash:19000:0:99999:7:::\n";

    @TempDir
    Path root;

    @TempDir
    Path outside;

    private MaildirStore store() {
        return MaildirStore.builder().root(root).createRoot(false).build();
    }

    private static List<String> locations(List<SkippedItem> items) {
        return items.stream().map(SkippedItem::location).toList();
    }

    private static void append(MailFolder folder) throws Exception {
        try (RawMessage raw = RawMessage.of("Subject: x\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII))) {
            folder.append(new AppendRequest(raw, Flags.of(Set.of(Flag.SEEN), Set.of("work")), Instant.EPOCH));
        }
    }

    @Test
    void aLinkInCurToAFileOutsideTheTreeIsSkippedNeverRead() throws Exception {
        Path secret = Files.writeString(outside.resolve("shadow"), SECRET);
        deliver(root.resolve("cur"), 2);
        Path link = root.resolve("cur/1690000000.M1P1.host:2,S");
        Files.createSymbolicLink(link, secret);
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> infos = list(inbox);
            assertThat(infos).hasSize(2);
            for (MessageInfo info : infos) {
                assertThat(new String(read(inbox, info), StandardCharsets.US_ASCII))
                        .doesNotContain("secret-hash");
            }
            assertThat(inbox.skipped())
                    .containsExactly(new SkippedItem(link.toString(), "a symbolic link; links are never followed"));
        }
        assertThat(Files.readString(root.resolve("dovecot-uidlist"))).doesNotContain("1690000000");
    }

    @Test
    void aFolderThatIsALinkIntoAnotherMaildirIsSkippedAndCannotBeOpened() throws Exception {
        deliver(root.resolve("cur"), 1);
        Path other = outside.resolve("bob");
        deliver(other.resolve(".Private/cur"), 3);
        Files.createSymbolicLink(root.resolve(".Stolen"), other.resolve(".Private"));
        try (MaildirStore store = store()) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).containsExactly(FolderPath.INBOX);
            assertThat(locations(store.skipped()))
                    .containsExactly(root.resolve(".Stolen").toString());
            assertThat(store.skipped().get(0).reason()).contains("symbolic link");
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("Stolen")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining(root.resolve(".Stolen").toString())
                    .hasMessageContaining("symbolic link");
        }
        try (var files = Files.list(other.resolve(".Private"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("cur");
        }
    }

    @Test
    void linkLoopsCannotMakeTheScanGoRound() throws Exception {
        deliver(root.resolve("cur"), 1);
        deliver(root.resolve("A/cur"), 1);
        Files.createSymbolicLink(root.resolve("A/loop"), root);
        Files.createSymbolicLink(root.resolve("B"), Path.of("A"));
        try (MaildirStore store = MaildirStore.builder()
                .root(root)
                .layout(MaildirLayout.FS)
                .createRoot(false)
                .build()) {
            assertThat(store.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.INBOX, FolderPath.of("A"));
            assertThat(locations(store.skipped()))
                    .containsExactlyInAnyOrder(
                            root.resolve("A/loop").toString(), root.resolve("B").toString());
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("A", "loop", "A")))
                    .isInstanceOf(FolderUnusableException.class);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoInNewIsSkippedAndDoesNotBlockTheReader() throws Exception {
        deliver(root.resolve("new"), 2);
        Path fifo = root.resolve("new/1690000000.M1P1.host");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        try (MaildirStore store = store();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> infos = list(inbox);
            assertThat(infos).hasSize(2);
            for (MessageInfo info : infos) {
                read(inbox, info);
            }
            assertThat(inbox.skipped()).singleElement().satisfies(item -> {
                assertThat(item.location()).isEqualTo(fifo.toString());
                assertThat(item.reason()).contains("special file");
            });
        }
    }

    @Test
    void aTargetRefusesToWriteThroughALinkedDirectoryOrControlFile() throws Exception {
        for (String name : List.of("tmp", "new", "cur", "dovecot-uidlist", "dovecot-keywords")) {
            Path tree = Files.createDirectories(root.resolve(name + "-case"));
            Path elsewhere = Files.createDirectories(outside.resolve(name + "-elsewhere"));
            try (MaildirStore store = MaildirStore.builder().root(tree).build()) {
                store.createFolder(FolderPath.of("Box"));
                Path dir = tree.resolve(".Box");
                Path victim = dir.resolve(name);
                if (Files.isDirectory(victim)) {
                    Files.delete(victim);
                    Files.createSymbolicLink(victim, elsewhere);
                } else {
                    Files.createSymbolicLink(victim, Files.writeString(elsewhere.resolve("file"), "3 V1 N1\n"));
                }
                try (MailFolder box = store.openFolder(FolderPath.of("Box"))) {
                    assertThatThrownBy(() -> append(box))
                            .as(name)
                            .isInstanceOf(FolderUnusableException.class)
                            .hasMessageContaining(victim.toString())
                            .hasMessageContaining("symbolic link");
                }
            }
            try (var files = Files.list(elsewhere)) {
                assertThat(files.map(p -> p.getFileName().toString())).as(name).isSubsetOf("file");
            }
            if (Files.exists(elsewhere.resolve("file"))) {
                assertThat(Files.readString(elsewhere.resolve("file"))).isEqualTo("3 V1 N1\n");
            }
        }
    }

    @Test
    void aTargetFolderThatIsALinkIsRefused() throws Exception {
        Path other = Files.createDirectories(outside.resolve("other"));
        try (MaildirStore store = MaildirStore.builder().root(root).build()) {
            store.listFolders();
            Files.createSymbolicLink(root.resolve(".Linked"), other);
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("Linked")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining(root.resolve(".Linked").toString());
        }
        try (var files = Files.list(other)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void everyEntryUnderTheRootIsAFolderAControlFileOrSkippedWithTheReason() throws Exception {
        deliver(root.resolve("cur"), 1);
        Files.createDirectories(root.resolve("tmp"));
        // Files of Dovecot and Courier: not mail, not skipped.
        for (String control : List.of(
                "dovecot.index",
                "dovecot.index.log",
                "dovecot.index.cache",
                "dovecot.list.index.log",
                "dovecot-uidvalidity",
                "dovecot-uidvalidity.65a1b2c3",
                "maildirsize",
                "courierimapuiddb",
                "subscriptions")) {
            Files.writeString(root.resolve(control), "");
        }
        deliver(root.resolve(".Good/cur"), 2);
        Files.writeString(root.resolve(".Good/maildirfolder"), "");
        Files.writeString(root.resolve(".Good/notes.txt"), "not mail");
        deliver(root.resolve(".INBOX/cur"), 2);
        deliver(root.resolve(".Tab\tName/cur"), 1);
        deliver(root.resolve(".Ctl&AAc-/cur"), 1);
        deliver(root.resolve(".Two..Dots/cur"), 1);
        deliver(root.resolve(".Entw&APw-rfe/cur"), 1);
        deliver(root.resolve(".Entwürfe/cur"), 1);
        Files.writeString(root.resolve("README"), "a file beside the folders");
        Files.createDirectories(root.resolve("Archive/cur"));
        Files.writeString(root.resolve("cur/.DS_Store"), "");
        Files.writeString(root.resolve("cur/.gitkeep"), "");
        try (MaildirStore store = store()) {
            assertThat(store.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.INBOX, FolderPath.of("Entwürfe"), FolderPath.of("Good"));
            assertThat(store.skipped())
                    .extracting(SkippedItem::location)
                    .containsExactlyInAnyOrder(
                            root.resolve(".Good/notes.txt").toString(),
                            root.resolve(".INBOX").toString(),
                            root + "/.Tab\\x09Name",
                            root.resolve(".Ctl&AAc-").toString(),
                            root.resolve(".Two..Dots").toString(),
                            root.resolve(".Entwürfe").toString(),
                            root.resolve("README").toString(),
                            root.resolve("Archive").toString());
            assertThat(store.skipped())
                    .filteredOn(s -> s.location().endsWith(".INBOX"))
                    .singleElement()
                    .satisfies(s -> assertThat(s.reason()).contains("INBOX beside the root"));
            assertThat(store.skipped())
                    .filteredOn(s -> s.location().endsWith("Archive"))
                    .singleElement()
                    .satisfies(s -> assertThat(s.reason()).contains("fs layout"));
            assertThat(store.skipped())
                    .filteredOn(s -> s.location().endsWith(".Entwürfe"))
                    .singleElement()
                    .satisfies(s -> assertThat(s.reason()).contains(".Entw&APw-rfe"));
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                assertThat(list(inbox)).hasSize(1);
                assertThat(inbox.skipped())
                        .extracting(SkippedItem::location)
                        .containsExactly(root.resolve("cur/.DS_Store").toString());
            }
        }
    }

    @Test
    void aFolderNameThatIsNotModifiedUtf7ButTextIsListedAsItIs() throws Exception {
        deliver(root.resolve("cur"), 1);
        deliver(root.resolve(".Lists & Co/cur"), 2);
        try (MaildirStore store = store()) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).contains(FolderPath.of("Lists & Co"));
            assertThat(store.skipped()).isEmpty();
            try (MailFolder folder = store.openFolder(FolderPath.of("Lists & Co"))) {
                assertThat(list(folder)).hasSize(2);
            }
        }
    }

    @Test
    void aPassFromATreeWithALinkCopiesTheMailAndEndsWithSkips() throws Exception {
        Path secret = Files.writeString(outside.resolve("shadow"), SECRET);
        deliver(root.resolve("cur"), 3);
        Files.createSymbolicLink(root.resolve("cur/1690000000.M1P1.host:2,S"), secret);
        Files.createSymbolicLink(root.resolve(".Elsewhere"), outside);
        Path target = outside.resolve("target");
        SyncReport report;
        try (MaildirStore source = store();
                MaildirStore copy = MaildirStore.builder().root(target).build()) {
            report = SyncEngine.builder()
                    .source(source)
                    .target(copy)
                    .checkpoints(FileCheckpointStore.in(outside.resolve("checkpoints")))
                    .build()
                    .run();
        }
        assertThat(report.copied()).isEqualTo(3);
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS);
        assertThat(report.toText()).contains(".Elsewhere").contains("1690000000.M1P1.host");
        try (var files = Files.walk(target)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file)).doesNotContain("secret-hash");
            }
        }
    }
}
