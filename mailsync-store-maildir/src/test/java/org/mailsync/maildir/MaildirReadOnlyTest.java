package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.maildir.MaildirShapesTest.deliver;
import static org.mailsync.maildir.MaildirShapesTest.list;
import static org.mailsync.maildir.MaildirShapesTest.read;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/** A source stays as it was: read-only mode and trees that are not writable (issue 11.7). */
class MaildirReadOnlyTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    private MaildirStore readOnly() {
        return MaildirStore.builder()
                .root(root)
                .readOnly(true)
                .stateDirectory(work.resolve("state"))
                .build();
    }

    /** Every entry of the tree, never through a link: type, mode, size, mtime, and a hash of the bytes. */
    static Map<String, String> snapshot(Path tree) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path p : all.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what = a.isSymbolicLink()
                        ? "link " + Files.readSymbolicLink(p)
                        : a.isRegularFile()
                                ? "file " + Hashing.sha256().hashBytes(Files.readAllBytes(p))
                                : a.isDirectory() ? "dir" : "other";
                out.put(
                        tree.relativize(p).toString(),
                        what + " " + a.size() + " " + a.lastModifiedTime().toInstant() + " "
                                + PosixFilePermissions.toString(
                                        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
        return out;
    }

    /** A tree as other programs leave it: Dovecot's files in the inbox, folders of every shape. */
    private void buildTree() throws Exception {
        try (MaildirStore dovecotLike = MaildirStore.builder().root(root).build();
                MailFolder inbox = dovecotLike.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < 3; i++) {
                try (RawMessage raw =
                        RawMessage.of(("Subject: " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII))) {
                    inbox.append(new AppendRequest(
                            raw, Flags.of(Set.of(Flag.SEEN), Set.of("work")), Instant.parse("2024-01-01T00:00:00Z")));
                }
            }
        }
        deliver(root.resolve("new"), 2); // delivered after Dovecot last looked: no uids yet
        deliver(root.resolve(".Lists/new"), 3);
        deliver(root.resolve(".Archive/cur"), 2);
        Files.writeString(root.resolve("notes.txt"), "not mail");
        Files.createSymbolicLink(root.resolve("cur/1600000000.M1P1.host:2,S"), work);
        // Directory mtimes are part of the snapshot: set them to a known past.
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(
                            p, java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
                }
            }
        }
    }

    private static void readEverything(MailStore store) throws Exception {
        for (FolderInfo info : store.listFolders()) {
            if (!info.selectable()) {
                continue;
            }
            try (MailFolder folder = store.openFolder(info.path())) {
                folder.status();
                for (MessageInfo m : list(folder)) {
                    read(folder, m);
                }
                folder.readHeaders(list(folder).stream().map(MessageInfo::uid).toList(), (uid, header) -> {});
                folder.skipped();
            }
        }
        store.skipped();
    }

    @Test
    void aReadOnlySourceIsLeftByteForByteAsItWasEvenByAFailedRun() throws Exception {
        buildTree();
        Map<String, String> before = snapshot(root);
        try (MaildirStore store = readOnly()) {
            readEverything(store);
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                MessageUid first = list(inbox).get(0).uid();
                for (ThrowingCall write : List.<ThrowingCall>of(
                        () -> inbox.append(new AppendRequest(
                                RawMessage.of("a: b\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                                Flags.NONE,
                                Instant.EPOCH)),
                        () -> inbox.storeFlags(List.of(first), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED)),
                        () -> inbox.delete(List.of(first)),
                        () -> store.createFolder(FolderPath.of("New")),
                        () -> store.setSubscribed(FolderPath.of("Lists"), true))) {
                    assertThatThrownBy(write::call)
                            .isInstanceOf(FolderUnusableException.class)
                            .hasMessageContaining("read-only");
                }
            }
        }
        // A failed run: the target cannot be created (its root is a file), after the source was listed.
        Path notADirectory = Files.writeString(work.resolve("target"), "x");
        SyncReport report;
        try (MaildirStore source = readOnly();
                MaildirStore target = MaildirStore.builder().root(notADirectory).build()) {
            report = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpoints(FileCheckpointStore.in(work.resolve("checkpoints")))
                    .build()
                    .run();
        }
        assertThat(report.verdict()).isNotEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(report.copied()).isZero();
        assertThat(snapshot(root)).isEqualTo(before);
    }

    private interface ThrowingCall {
        void call() throws Exception;
    }

    @Test
    void idsStayTheSameFromRunToRunAndTheTreesOwnUidsAreKept() throws Exception {
        buildTree();
        byte[] treeUidlist = Files.readAllBytes(root.resolve("dovecot-uidlist"));
        long treeValidity =
                Long.parseLong(new String(treeUidlist, StandardCharsets.US_ASCII).split(" ")[1].substring(1));
        List<MessageInfo> first;
        FolderStatus firstStatus;
        List<MessageInfo> lists;
        try (MaildirStore store = readOnly();
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                MailFolder listsFolder = store.openFolder(FolderPath.of("Lists"))) {
            first = list(inbox);
            firstStatus = inbox.status();
            lists = list(listsFolder);
        }
        // The tree's uidlist numbered 1-3; the two new files get 4 and 5, in the tree's UIDVALIDITY.
        assertThat(first).extracting(m -> m.uid().value()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(first.get(0).flags()).isEqualTo(Flags.of(Set.of(Flag.SEEN), Set.of("work")));
        assertThat(firstStatus.generation().value()).isEqualTo(treeValidity);
        assertThat(lists).hasSize(3);
        // One more, delivered by another program between runs.
        Files.writeString(root.resolve(".Lists/new/1800000000.M9P9.host"), "Subject: late\n\nlate\n");
        try (MaildirStore store = readOnly();
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                MailFolder listsFolder = store.openFolder(FolderPath.of("Lists"))) {
            assertThat(list(inbox)).isEqualTo(first);
            assertThat(inbox.status()).isEqualTo(firstStatus);
            List<MessageInfo> again = list(listsFolder);
            assertThat(again.subList(0, 3)).isEqualTo(lists);
            assertThat(again).hasSize(4);
            assertThat(again.get(3).uid().value())
                    .isGreaterThan(lists.get(2).uid().value());
        }
        assertThat(Files.readAllBytes(root.resolve("dovecot-uidlist"))).isEqualTo(treeUidlist);
        assertThat(root.resolve(".Lists/dovecot-uidlist")).doesNotExist();
        try (Stream<Path> state = Files.list(work.resolve("state"))) {
            for (Path p : state.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .as(p.toString())
                        .isEqualTo("rw-------");
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("state"))))
                .isEqualTo("rwx------");
    }

    @Test
    void aSecondPassFromAReadOnlySourceCopiesNothingAgain() throws Exception {
        buildTree();
        Path target = work.resolve("target");
        for (int pass = 1; pass <= 2; pass++) {
            SyncReport report;
            try (MaildirStore source = readOnly();
                    MaildirStore copy = MaildirStore.builder().root(target).build()) {
                report = SyncEngine.builder()
                        .source(source)
                        .target(copy)
                        .checkpoints(FileCheckpointStore.in(work.resolve("checkpoints")))
                        .build()
                        .run();
            }
            assertThat(report.copied()).as("pass " + pass).isEqualTo(pass == 1 ? 10 : 0);
            assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS); // the link, notes.txt
        }
    }

    private FolderStatus statusOfInbox() throws Exception {
        try (MaildirStore store = readOnly();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).extracting(m -> m.uid().value()).doesNotHaveDuplicates();
            return inbox.status();
        }
    }

    private void treeUidlist(long validity, long next, String... lines) throws Exception {
        Files.writeString(
                root.resolve("dovecot-uidlist"),
                "3 V" + validity + " N" + next + "\n" + String.join("", List.of(lines)));
    }

    @Test
    void theStateFollowsTheTreesUidlistAndStartsANewGenerationWhenTheyDisagree() throws Exception {
        Files.createDirectories(root.resolve("cur"));
        Files.writeString(root.resolve("cur/1700000001.a.host:2,S"), "Subject: a\n\na\n");
        Files.writeString(root.resolve("cur/1700000002.b.host:2,S"), "Subject: b\n\nb\n");
        treeUidlist(1000, 3, "1 :1700000001.a.host\n", "2 :1700000002.b.host\n");
        assertThat(statusOfInbox())
                .isEqualTo(new FolderStatus(org.mailsync.Generation.of(1000), MessageUid.of(3), 2, null));
        // A new file the tree's list does not name: the next uid, kept in the state directory.
        Files.writeString(root.resolve("cur/1700000003.c.host:2,S"), "Subject: c\n\nc\n");
        assertThat(statusOfInbox())
                .isEqualTo(new FolderStatus(org.mailsync.Generation.of(1000), MessageUid.of(4), 3, null));
        // Dovecot numbers it too, the same way: nothing changes.
        treeUidlist(1000, 4, "1 :1700000001.a.host\n", "2 :1700000002.b.host\n", "3 :1700000003.c.host\n");
        assertThat(statusOfInbox().generation().value()).isEqualTo(1000);
        // Dovecot gives the next file another uid than the state did: a new generation.
        Files.writeString(root.resolve("cur/1700000004.d.host:2,S"), "Subject: d\n\nd\n");
        assertThat(statusOfInbox().nextUid()).isEqualTo(MessageUid.of(5));
        treeUidlist(
                1000,
                7,
                "1 :1700000001.a.host\n",
                "2 :1700000002.b.host\n",
                "3 :1700000003.c.host\n",
                "6 :1700000004.d.host\n");
        FolderStatus renumbered = statusOfInbox();
        assertThat(renumbered.generation().value()).isNotEqualTo(1000);
        assertThat(renumbered.messageCount()).isEqualTo(4);
        // From then on the state keeps its own ids, whatever the tree's list says or whether it is there.
        Files.delete(root.resolve("dovecot-uidlist"));
        assertThat(statusOfInbox()).isEqualTo(renumbered);
    }

    @Test
    void aTreeRenumberedByDovecotIsFollowedAndARemovedListKeepsTheIds() throws Exception {
        Files.createDirectories(root.resolve("cur"));
        Files.writeString(root.resolve("cur/1700000001.a.host:2,S"), "Subject: a\n\na\n");
        Files.writeString(root.resolve("cur/1700000002.b.host:2,S"), "Subject: b\n\nb\n");
        treeUidlist(1000, 3, "1 :1700000001.a.host\n", "2 :1700000002.b.host\n");
        statusOfInbox();
        treeUidlist(2000, 3, "1 :1700000002.b.host\n", "2 :1700000001.a.host\n");
        assertThat(statusOfInbox().generation().value()).isEqualTo(2000);
        Files.delete(root.resolve("dovecot-uidlist"));
        Files.writeString(root.resolve("cur/1700000003.c.host:2,S"), "Subject: c\n\nc\n");
        assertThat(statusOfInbox())
                .isEqualTo(new FolderStatus(org.mailsync.Generation.of(2000), MessageUid.of(4), 3, null));
    }

    @Test
    void aTreeThatIsNotWritableIsReadWithAStateDirectoryAndRefusedWithoutOne() throws Exception {
        deliver(root.resolve("cur"), 2);
        Map<String, String> before = snapshot(root);
        try (MaildirStore store =
                MaildirStore.builder().root(root).writable(p -> false).build()) {
            assertThatThrownBy(store::listFolders)
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("not writable")
                    .hasMessageContaining("stateDirectory");
        }
        try (MaildirStore store = MaildirStore.builder()
                        .root(root)
                        .stateDirectory(work.resolve("state"))
                        .writable(p -> false)
                        .build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).hasSize(2);
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("X")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("not writable");
        }
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void aWritableFolderIsStillGivenDovecotsFilesByDefault() throws Exception {
        deliver(root.resolve("cur"), 1);
        try (MaildirStore store = MaildirStore.builder().root(root).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).hasSize(1);
        }
        assertThat(root.resolve("dovecot-uidlist")).exists();
    }

    @Test
    void readOnlyNeedsAStateDirectory() {
        assertThatThrownBy(
                        () -> MaildirStore.builder().root(root).readOnly(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stateDirectory");
    }

    @Test
    void aDamagedStateFileIsAnErrorThatSaysWhatToDo() throws Exception {
        deliver(root.resolve("cur"), 1);
        try (MaildirStore store = readOnly();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            inbox.status();
        }
        Path state;
        try (Stream<Path> files = Files.list(work.resolve("state"))) {
            state = files.filter(p -> !p.toString().endsWith(".lock"))
                    .findFirst()
                    .orElseThrow();
        }
        Files.writeString(state, "garbage");
        try (MaildirStore store = readOnly();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThatThrownBy(inbox::status)
                    .isInstanceOf(MailStoreException.class)
                    .hasMessageContaining(state.toString())
                    .hasMessageContaining("remove it");
        }
    }
}
