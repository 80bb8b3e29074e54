package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.SkippedItem;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** The tree side of the mbox store: layouts, what listing reads and skips, links, file modes. */
class MboxTreeTest {
    private static final Instant DATE = Instant.parse("2024-01-01T00:00:00Z");
    private static final String FROM = "From a@example.org Mon Jan  1 00:00:00 2024\n";

    @TempDir
    Path dir;

    private static void append(MboxStore store, FolderPath path, String subject) throws Exception {
        try (MailFolder f = store.openFolder(path);
                RawMessage raw = RawMessage.of(
                        ("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII))) {
            f.append(new AppendRequest(raw, Flags.NONE, DATE));
        }
    }

    private static List<String> subjects(MboxStore store, FolderPath path) throws Exception {
        List<String> out = new ArrayList<>();
        try (MailFolder f = store.openFolder(path)) {
            List<MessageInfo> all = new ArrayList<>();
            f.list(MessageQuery.all(), all::addAll);
            for (MessageInfo info : all) {
                try (RawMessage raw = f.read(info.uid()).orElseThrow()) {
                    String text = new String(raw.toByteArray(), StandardCharsets.US_ASCII);
                    out.add(text.substring("Subject: ".length(), text.indexOf("\r\n")));
                }
            }
        }
        return out;
    }

    private static Map<FolderPath, Boolean> selectable(MboxStore store) throws Exception {
        return store.listFolders().stream().collect(Collectors.toMap(FolderInfo::path, FolderInfo::selectable));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A folder with messages and sub-folders, created parent-first and child-first at once: in the
     * plain layout one of the two lost, and which one changed from run to run.
     */
    @Test
    void aFolderWithMessagesAndSubFoldersIsHeldInEitherOrderInParallel() throws Exception {
        Path root = dir.resolve("new-tree");
        int pairs = 12;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (MboxStore store = MboxStore.builder().root(root).build()) {
            assertThat(store.layout()).isEqualTo(MboxLayout.SBD_DIRECTORIES);
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                FolderPath parent = FolderPath.of("A" + i);
                FolderPath child = parent.child("B");
                List<FolderPath> order = i % 2 == 0 ? List.of(parent, child) : List.of(child, parent);
                for (FolderPath path : order) {
                    work.add(pool.submit(() -> {
                        store.createFolder(path);
                        append(store, path, path.toString());
                        return null;
                    }));
                }
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        // A new store on the same tree, as the next run: the same layout, every message there.
        try (MboxStore again = MboxStore.builder().root(root).build()) {
            assertThat(again.layout()).isEqualTo(MboxLayout.SBD_DIRECTORIES);
            Map<FolderPath, Boolean> folders = selectable(again);
            for (int i = 0; i < pairs; i++) {
                FolderPath parent = FolderPath.of("A" + i);
                FolderPath child = parent.child("B");
                assertThat(folders).containsEntry(parent, true).containsEntry(child, true);
                assertThat(subjects(again, parent)).containsExactly(parent.toString());
                assertThat(subjects(again, child)).containsExactly(child.toString());
                assertThat(root.resolve("A" + i)).isRegularFile();
                assertThat(root.resolve("A" + i + ".sbd").resolve("B")).isRegularFile();
            }
            assertThat(again.skipped()).isEmpty();
        }
    }

    @Test
    void aParentThatIsOnlyAParentIsADirectoryNotAnEmptyFolder() throws Exception {
        try (MboxStore store = MboxStore.builder().root(dir).build()) {
            store.createFolder(FolderPath.of("Archive", "2023", "Q1"));
            assertThat(dir.resolve("Archive")).doesNotExist();
            assertThat(dir.resolve("Archive.sbd/2023")).doesNotExist();
            assertThat(dir.resolve("Archive.sbd/2023.sbd/Q1")).isRegularFile();
            assertThat(selectable(store))
                    .containsEntry(FolderPath.of("Archive"), false)
                    .containsEntry(FolderPath.of("Archive", "2023"), false)
                    .containsEntry(FolderPath.of("Archive", "2023", "Q1"), true);
            // Later the parent gets messages of its own: now it is a folder too.
            store.createFolder(FolderPath.of("Archive"));
            append(store, FolderPath.of("Archive"), "own");
            assertThat(selectable(store)).containsEntry(FolderPath.of("Archive"), true);
            assertThat(subjects(store, FolderPath.of("Archive"))).containsExactly("own");
        }
    }

    @Test
    void anExistingTreesLayoutIsDetectedAndKept() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain/Lists"));
        Files.writeString(plain.resolve("java"), FROM + "Subject: j\n\nx\n");
        Files.writeString(dir.resolve("plain/inbox"), "");
        try (MboxStore store = MboxStore.builder().root(dir.resolve("plain")).build()) {
            assertThat(store.layout()).isEqualTo(MboxLayout.PLAIN_DIRECTORIES);
            store.createFolder(FolderPath.of("Archive", "2023"));
            append(store, FolderPath.of("Archive", "2023"), "kept plain");
        }
        assertThat(dir.resolve("plain/Archive/2023")).isRegularFile();
        assertThat(dir.resolve("plain/Archive.sbd")).doesNotExist();
        try (MboxStore store = MboxStore.builder().root(dir.resolve("plain")).build()) {
            assertThat(store.layout()).isEqualTo(MboxLayout.PLAIN_DIRECTORIES);
            assertThat(selectable(store))
                    .containsEntry(FolderPath.of("Lists", "java"), true)
                    .containsEntry(FolderPath.of("Archive", "2023"), true);
        }

        Path thunderbird = Files.createDirectories(dir.resolve("tb/Local.sbd"));
        Files.writeString(dir.resolve("tb/Inbox"), "");
        Files.writeString(dir.resolve("tb/Inbox.msf"), "// <!-- <mdb:mork:z v=\"1.4\"/> -->");
        Files.writeString(thunderbird.resolve("Sub"), "");
        try (MboxStore store = MboxStore.builder().root(dir.resolve("tb")).build()) {
            assertThat(store.layout()).isEqualTo(MboxLayout.THUNDERBIRD);
        }

        Path flat = Files.createDirectories(dir.resolve("flat"));
        Files.writeString(flat.resolve("inbox"), FROM + "Subject: i\n\nx\n");
        try (MboxStore store = MboxStore.builder().root(flat).build()) {
            assertThat(store.layout()).isEqualTo(MboxLayout.SBD_DIRECTORIES);
        }
    }

    /** Files that are mbox after blank lines or a BOM are folders; every other thing is named. */
    @Test
    void listingReadsToleratedFilesAndNamesEverythingElseItSkips() throws Exception {
        Files.writeString(dir.resolve("inbox"), FROM + "Subject: i\n\nx\n");
        Files.writeString(dir.resolve("blank-first"), "\n\r\n  \n" + FROM + "Subject: b\n\nx\n");
        Files.write(
                dir.resolve("bom-first"),
                concat(
                        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        (FROM + "Subject: m\n\nx\n").getBytes(StandardCharsets.US_ASCII)));
        Files.writeString(dir.resolve("empty"), "");
        Files.writeString(dir.resolve("notes.txt"), "shopping list\n");
        Files.writeString(dir.resolve("only-blank"), "\n\n");
        Files.writeString(dir.resolve("empty.msf"), "// <!-- <mdb:mork:z v=\"1.4\"/> -->");
        Files.createDirectories(dir.resolve(".imap/INBOX"));
        Files.writeString(dir.resolve(".subscriptions"), "inbox\n");
        Files.writeString(dir.resolve(".hidden-notes"), "not mail\n");
        Files.createDirectories(dir.resolve("stray-directory"));
        Files.writeString(dir.resolve("inbox.lock"), "");
        run("mkfifo", dir.resolve("fifo").toString());
        Files.createSymbolicLink(dir.resolve("link-to-inbox"), dir.resolve("inbox"));
        Files.createDirectories(dir.resolve("Loop.sbd"));
        Files.createSymbolicLink(dir.resolve("Loop.sbd/again.sbd"), dir);
        Files.createSymbolicLink(dir.resolve("Loop.sbd/again"), dir.resolve("inbox"));

        try (MboxStore store = MboxStore.builder().root(dir).build()) {
            assertThat(store.layout()).isEqualTo(MboxLayout.THUNDERBIRD); // there is an .msf
            assertThat(store.listFolders().stream().map(FolderInfo::path))
                    .containsExactly(
                            FolderPath.INBOX,
                            FolderPath.of("Loop"),
                            FolderPath.of("blank-first"),
                            FolderPath.of("bom-first"),
                            FolderPath.of("empty"));
            assertThat(store.skipped())
                    .extracting(SkippedItem::location, SkippedItem::reason)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(
                                    ".hidden-notes", "a hidden file (another program's index or state), not a folder"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "Loop.sbd/again", "a symbolic link; mailsync never follows links"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "Loop.sbd/again.sbd", "a symbolic link; mailsync never follows links"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "fifo", "not a regular file (a FIFO, socket or device)"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "link-to-inbox", "a symbolic link; mailsync never follows links"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "notes.txt",
                                    "not an mbox file (its first line is not a \"From \" line: \"shopping list\")"),
                            org.assertj.core.groups.Tuple.tuple("only-blank", "not an mbox file (only blank lines)"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "stray-directory",
                                    "a directory that is not a Name.sbd sub-folder directory (layout THUNDERBIRD)"));
            assertThat(subjects(store, FolderPath.INBOX)).containsExactly("i");
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("fifo")).status())
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("FIFO");
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("link-to-inbox")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("symbolic link");
        }
    }

    @Test
    void aTargetIsNeverWrittenThroughALink() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path victim = Files.writeString(outside.resolve("victim"), FROM + "Subject: v\n\nx\n");
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("Linked"), victim);
        Files.createSymbolicLink(root.resolve("Dir.sbd"), outside);
        String before = Files.readString(victim);
        try (MboxStore store = MboxStore.builder().root(root).build()) {
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("Linked")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("never writes through links");
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("Dir", "victim")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> append(store, FolderPath.of("Dir", "victim"), "through the link"))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("symbolic link");
        }
        assertThat(Files.readString(victim)).isEqualTo(before);
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files).containsExactly(victim);
        }
    }

    @Test
    void filesAre0600AndDirectories0700() throws Exception {
        Path root = dir.resolve("mail");
        try (MboxStore store = MboxStore.builder().root(root).build()) {
            store.createFolder(FolderPath.of("A", "B"));
            append(store, FolderPath.of("A", "B"), "one");
            append(store, FolderPath.INBOX, "two");
            // A flag change that does not fit in place rewrites the file through a temp file.
            try (MailFolder f = store.openFolder(FolderPath.INBOX)) {
                List<MessageInfo> all = new ArrayList<>();
                f.list(MessageQuery.all(), all::addAll);
                f.delete(List.of(all.get(0).uid()));
            }
        }
        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(mode(root.resolve("A.sbd"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("A.sbd/B"))).isEqualTo("rw-------");
        assertThat(mode(root.resolve("inbox"))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("A.sbd", "inbox");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }
}
