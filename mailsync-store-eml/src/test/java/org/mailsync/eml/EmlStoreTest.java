package org.mailsync.eml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageSpool;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SkippedItem;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.Heap;

/** What the store promises beyond the contract: names, foreign trees, links, big messages, crashes. */
class EmlStoreTest {
    private static final Instant DATE = Instant.parse("2024-05-01T10:32:07Z");

    @TempDir
    Path tmp;

    private static byte[] message(String subject, String body) {
        return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: " + subject
                        + "\r\nDate: Wed, 01 May 2024 10:32:07 +0000\r\nMessage-ID: <"
                        + Math.floorMod(subject.hashCode(), 1_000_000)
                        + body.length() + "@example.org>\r\n\r\n" + body + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static MessageUid append(MailFolder f, byte[] bytes, Flags flags) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            return f.append(new AppendRequest(raw, flags, DATE)).orElseThrow();
        }
    }

    private static List<MessageInfo> listAll(MailFolder f) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        f.list(MessageQuery.all(), all::addAll);
        return all;
    }

    private static byte[] read(MailFolder f, MessageUid uid) throws Exception {
        try (RawMessage raw = f.read(uid).orElseThrow()) {
            return raw.toByteArray();
        }
    }

    private static List<String> messageFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".eml"))
                    .sorted()
                    .toList();
        }
    }

    /** Whether Windows (NTFS, FAT) and macOS can hold the name as it is. */
    private static void assertPortable(String name) {
        assertThat(name).doesNotContainPattern("[<>:\"/\\\\|?*\\x00-\\x1f\\x7f]");
        assertThat(name).doesNotStartWith(".").doesNotEndWith(".").doesNotEndWith(" ");
        assertThat(name.length()).isLessThanOrEqualTo(SafeNames.MAX_CHARS);
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(SafeNames.reserved(name)).as("reserved: %s", name).isFalse();
        assertThat(name).isEqualTo(java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFC));
    }

    // ---- names

    @Test
    void hostileSubjectsGiveFileNamesEveryFileSystemCanHold() throws Exception {
        List<String> subjects = List.of(
                "../../etc/passwd",
                "a:b*c?\"d\"<e>|f\\g/h",
                "ends with dots...",
                "ends with spaces   ",
                ".hidden",
                "tab\there and\u0007bell",
                "x".repeat(500),
                "ü".repeat(300),
                "日本語".repeat(100),
                "=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=",
                "=?ISO-8859-1?Q?Caf=E9_cr=E8me?= =?ISO-8859-1?Q?_br=FBl=E9e?=",
                "e\u0301 decomposed",
                "");
        Path root = tmp.resolve("t");
        try (EmlStore store = EmlStore.builder().root(root).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            Map<MessageUid, byte[]> sent = new TreeMap<>();
            for (String s : subjects) {
                byte[] bytes = message(s, "body of " + s.length());
                sent.put(append(inbox, bytes, Flags.NONE), bytes);
            }
            List<String> files = messageFiles(root.resolve("INBOX"));
            assertThat(files).hasSize(subjects.size());
            files.forEach(EmlStoreTest::assertPortable);
            assertThat(files).allMatch(n -> n.startsWith("2024-05-01 1032 "));
            assertThat(files).contains("2024-05-01 1032 Grüße aus Köln.eml", "2024-05-01 1032 Café crème brûlée.eml");
            assertThat(files).contains("2024-05-01 1032 no subject.eml");
            for (Map.Entry<MessageUid, byte[]> e : sent.entrySet()) {
                assertThat(read(inbox, e.getKey())).isEqualTo(e.getValue());
            }
        }
        // Nothing was written outside the root.
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("t");
        }
    }

    @Test
    void manyMessagesWithOneLongSubjectGetUniqueNamesWithinTheLimits() throws Exception {
        Path root = tmp.resolve("t");
        try (EmlStore store = EmlStore.builder().root(root).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < 12; i++) {
                append(inbox, message("ü".repeat(400), "body " + i), Flags.NONE);
            }
        }
        List<String> files = messageFiles(root.resolve("INBOX"));
        assertThat(files).hasSize(12);
        files.forEach(EmlStoreTest::assertPortable);
        assertThat(files).allMatch(n -> n.getBytes(StandardCharsets.UTF_8).length <= SafeNames.MAX_BYTES);
        assertThat(files.stream().map(SafeNames::key).distinct()).hasSize(12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CON", "prn", "Aux", "NUL", "COM1", "lpt9", "con.txt", "COM\u00b9", "CONIN$"})
    void reservedDeviceNamesAreNeverUsedForFoldersOrFiles(String name) throws Exception {
        Path root = tmp.resolve("t");
        FolderPath folder = FolderPath.of(name);
        try (EmlStore store = EmlStore.builder().root(root).build()) {
            store.createFolder(folder);
            try (MailFolder f = store.openFolder(folder)) {
                append(f, message(name, "x"), Flags.NONE);
            }
        }
        try (Stream<Path> s = Files.list(root)) {
            List<String> dirs = s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("INBOX"))
                    .toList();
            assertThat(dirs).hasSize(1);
            assertPortable(dirs.get(0));
        }
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build()) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).contains(folder);
            try (MailFolder f = store.openFolder(folder)) {
                assertThat(listAll(f)).hasSize(1);
            }
        }
        assertThat(SafeNames.reserved(name)).isTrue();
        assertThat(SafeNames.reserved("CONTACTS")).isFalse();
    }

    @Test
    void namesThatDifferOnlyInCaseOrNormalisationGetDistinctFilesAndFolders() throws Exception {
        Path root = tmp.resolve("t");
        List<FolderPath> folders = List.of(
                FolderPath.of("Work"),
                FolderPath.of("work"),
                FolderPath.of("WORK"),
                FolderPath.of("Caf\u00e9"),
                FolderPath.of("Cafe\u0301"));
        try (EmlStore store = EmlStore.builder().root(root).build()) {
            for (FolderPath f : folders) {
                store.createFolder(f);
                try (MailFolder open = store.openFolder(f)) {
                    append(open, message("in " + f, "x"), Flags.NONE);
                }
            }
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                append(inbox, message("Hello", "1"), Flags.NONE);
                append(inbox, message("HELLO", "2"), Flags.NONE);
                append(inbox, message("hello", "3"), Flags.NONE);
                append(inbox, message("Hello", "4"), Flags.NONE);
            }
        }
        Set<String> keys = new HashSet<>();
        try (Stream<Path> s = Files.list(root)) {
            s.forEach(p -> assertThat(keys.add(SafeNames.key(p.getFileName().toString())))
                    .as("a second %s", p)
                    .isTrue());
        }
        keys.clear();
        for (String n : messageFiles(root.resolve("INBOX"))) {
            assertThat(keys.add(SafeNames.key(n))).as("a second %s", n).isTrue();
        }
        assertThat(keys).hasSize(4);
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build()) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).containsAll(folders);
            for (FolderPath f : folders) {
                try (MailFolder open = store.openFolder(f)) {
                    List<MessageInfo> all = listAll(open);
                    assertThat(all).hasSize(1);
                    assertThat(new String(read(open, all.get(0).uid()), StandardCharsets.UTF_8))
                            .contains("Subject: in " + f + "\r\n");
                }
            }
        }
    }

    // ---- trees other programs wrote

    private Path foreignTree() throws IOException {
        Path root = tmp.resolve("backup");
        Files.createDirectories(root.resolve("Inbox"));
        Files.createDirectories(root.resolve("Projects/2023"));
        Files.write(
                root.resolve("Inbox/first.eml"),
                "Subject: lf\nDate: Tue, 2 Jan 2024 03:04:05 +0100\n\nline\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(root.resolve("Inbox/second.EML"), message("crlf", "x"));
        Files.write(root.resolve("Projects/2023/plan.eml"), message("plan", "y"));
        Files.write(root.resolve("Projects/notes.txt"), "not mail".getBytes(StandardCharsets.US_ASCII));
        Files.write(root.resolve("Inbox/.DS_Store"), new byte[] {0, 1});
        Files.write(root.resolve("Inbox/._first.eml"), new byte[] {0, 5, 22, 7});
        Files.createDirectories(root.resolve(".git"));
        for (Path p : List.of(
                root.resolve("Inbox/first.eml"),
                root.resolve("Inbox/second.EML"),
                root.resolve("Projects/2023/plan.eml"))) {
            Files.setLastModifiedTime(p, FileTime.from(DATE));
        }
        return root;
    }

    /** Every file under {@code root}: its bytes' hash, mode and time; directories' times too. */
    private static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String what = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS) + " "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    what += " "
                            + java.util.HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                }
                out.put(root.relativize(p).toString(), what);
            }
        }
        return out;
    }

    @Test
    void aForeignTreeIsReadWithoutWritingAndKeepsItsIdsFromRunToRun() throws Exception {
        Path root = foreignTree();
        Map<String, String> before = snapshot(root);
        List<MessageInfo> first;
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build()) {
            assertThat(store.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.INBOX, FolderPath.of("Projects"), FolderPath.of("Projects", "2023"));
            assertThat(store.skipped()).extracting(SkippedItem::location).containsExactly(".git");
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                first = listAll(inbox);
                assertThat(first).hasSize(2);
                // A file with LF line ends is served with CRLF, its size as served.
                String served = "Subject: lf\r\nDate: Tue, 2 Jan 2024 03:04:05 +0100\r\n\r\nline\r\n";
                MessageInfo lf = first.stream()
                        .filter(m -> m.size() == served.length())
                        .findFirst()
                        .orElseThrow();
                assertThat(new String(read(inbox, lf.uid()), StandardCharsets.US_ASCII))
                        .isEqualTo(served);
                assertThat(first).extracting(MessageInfo::internalDate).containsOnly(DATE);
                assertThat(inbox.skipped())
                        .containsExactly(new SkippedItem(
                                "Inbox/._first.eml", "a macOS resource fork (AppleDouble ._ file), not a message"));
                assertThatThrownBy(() -> inbox.storeFlags(List.of(lf.uid()), FlagsUpdateMode.ADD, Flags.of(Flag.SEEN)))
                        .isInstanceOf(FolderUnusableException.class)
                        .hasMessageContaining("read-only");
            }
            try (MailFolder projects = store.openFolder(FolderPath.of("Projects"))) {
                assertThat(listAll(projects)).isEmpty();
                assertThat(projects.skipped())
                        .containsExactly(new SkippedItem("Projects/notes.txt", "not an .eml file"));
            }
        }
        try (EmlStore again = EmlStore.builder().root(root).readOnly(true).build();
                MailFolder inbox = again.openFolder(FolderPath.INBOX)) {
            assertThat(listAll(inbox)).isEqualTo(first);
        }
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void aTreeTheStoreWroteReadsBackTheSameAsASourceWithoutAByteWritten() throws Exception {
        Path root = tmp.resolve("t");
        Map<FolderPath, List<MessageInfo>> written = new TreeMap<>();
        Map<FolderPath, org.mailsync.FolderStatus> statuses = new TreeMap<>();
        try (EmlStore store = EmlStore.builder().root(root).build()) {
            for (FolderPath f : List.of(FolderPath.INBOX, FolderPath.of("Archive", "2023"))) {
                store.createFolder(f);
                try (MailFolder open = store.openFolder(f)) {
                    append(open, message("one " + f, "1"), Flags.of(Set.of(Flag.SEEN), Set.of("$Work")));
                    MessageUid two = append(open, message("two " + f, "2\nbare LF kept"), Flags.NONE);
                    append(open, message("three " + f, "3"), Flags.of(Flag.FLAGGED));
                    open.storeFlags(List.of(two), FlagsUpdateMode.ADD, Flags.of(Flag.ANSWERED));
                    written.put(f, listAll(open));
                    statuses.put(f, open.status());
                }
            }
        }
        Map<String, String> before = snapshot(root);
        try (EmlStore source = EmlStore.builder().root(root).readOnly(true).build()) {
            for (FolderPath f : written.keySet()) {
                try (MailFolder open = source.openFolder(f)) {
                    assertThat(open.status()).isEqualTo(statuses.get(f));
                    assertThat(listAll(open)).isEqualTo(written.get(f));
                    for (MessageInfo m : written.get(f)) {
                        assertThat(new String(read(open, m.uid()), StandardCharsets.UTF_8))
                                .contains("Subject: ");
                        assertThat(read(open, m.uid()).length).isEqualTo((int) m.size());
                    }
                }
            }
            assertThat(source.capabilities().has(org.mailsync.Capability.APPEND_UID))
                    .isFalse();
        }
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void aRenamedFileKeepsItsIdAChangedOneIsANewMessageAndIdenticalFilesAreTwo() throws Exception {
        Path root = foreignTree();
        Path inboxDir = root.resolve("Inbox");
        MessageUid id;
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            id = listAll(inbox).stream()
                    .filter(m -> m.size() == 59)
                    .findFirst()
                    .orElseThrow()
                    .uid();
        }
        Files.move(inboxDir.resolve("first.eml"), inboxDir.resolve("renamed.eml"));
        Files.copy(inboxDir.resolve("renamed.eml"), inboxDir.resolve("copy.eml"));
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = listAll(inbox);
            assertThat(all).hasSize(3).extracting(MessageInfo::uid).contains(id).doesNotHaveDuplicates();
            // The copy's name sorts first, so it has the id; the other is the next one free.
            assertThat(all).extracting(MessageInfo::uid).contains(MessageUid.of(id.value() + 1));
        }
        Files.delete(inboxDir.resolve("copy.eml"));
        Files.write(inboxDir.resolve("renamed.eml"), "Subject: changed\n\nnew\n".getBytes(StandardCharsets.US_ASCII));
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(listAll(inbox)).hasSize(2).extracting(MessageInfo::uid).doesNotContain(id);
        }
    }

    @Test
    void theInternalDateIsTheFileTimeOrTheDateHeaderWhereTheFileTimeMeansNothing() throws Exception {
        Path root = tmp.resolve("t");
        Files.createDirectories(root);
        Files.write(
                root.resolve("a.eml"),
                "Date: Tue, 2 Jan 2024 03:04:05 +0100\r\nSubject: a\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(
                root.resolve("b.eml"),
                "Date: Tue, 2 Jan 2024 03:04:05 +0100\r\nSubject: b\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII));
        Files.setLastModifiedTime(root.resolve("a.eml"), FileTime.from(DATE));
        Files.setLastModifiedTime(root.resolve("b.eml"), FileTime.from(Instant.EPOCH)); // as unzip leaves some
        try (EmlStore store = EmlStore.builder().root(root).readOnly(true).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(listAll(inbox))
                    .extracting(MessageInfo::internalDate)
                    .containsExactlyInAnyOrder(DATE, Instant.parse("2024-01-02T02:04:05Z"));
        }
    }

    @Test
    void theStoreWritesTheInternalDateAsFileTimeFilesOwnerOnlyAndFlagsInTheSidecar() throws Exception {
        Path root = tmp.resolve("t");
        try (EmlStore store = EmlStore.builder().root(root).build()) {
            store.createFolder(FolderPath.of("Archive", "2024"));
            try (MailFolder f = store.openFolder(FolderPath.of("Archive", "2024"))) {
                append(f, message("kept", "x"), Flags.of(Set.of(Flag.SEEN, Flag.ANSWERED), Set.of("$Forwarded")));
            }
        }
        Path dir = root.resolve("Archive/2024");
        Path file = dir.resolve(messageFiles(dir).get(0));
        assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(DATE);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve(Sidecar.FILE_NAME)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        for (Path d : List.of(root, root.resolve("Archive"), dir)) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(d);
            assertThat(mode).as("%s", d).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
        String sidecar = Files.readString(dir.resolve(Sidecar.FILE_NAME));
        assertThat(sidecar).startsWith("mailsync-eml 1\n").contains("\\Seen").contains("$Forwarded");
        assertThat(sidecar).contains("\t" + file.getFileName() + "\n");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(file.getFileName().toString(), Sidecar.FILE_NAME);
        }
    }

    // ---- links

    @Test
    void symbolicLinksAreNeverFollowedReadOrWrittenThrough() throws Exception {
        Path secret = tmp.resolve("secret.eml");
        Files.write(secret, "Subject: secret\r\n\r\ndo not read\r\n".getBytes(StandardCharsets.US_ASCII));
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.write(other.resolve("theirs.eml"), message("theirs", "z"));
        Path root = tmp.resolve("t");
        try (EmlStore store = EmlStore.builder().root(root).build()) {
            store.openFolder(FolderPath.INBOX).close(); // a new tree's inbox is a directory INBOX
            store.createFolder(FolderPath.of("Real"));
            try (MailFolder f = store.openFolder(FolderPath.of("Real"))) {
                append(f, message("mine", "m"), Flags.NONE);
            }
        }
        Files.createSymbolicLink(root.resolve("INBOX/link.eml"), secret);
        Files.createSymbolicLink(root.resolve("Linked"), other);
        Path realSidecar = root.resolve("Real").resolve(Sidecar.FILE_NAME);
        Path elsewhere = tmp.resolve("sidecar-elsewhere");
        Files.move(realSidecar, elsewhere);
        Files.createSymbolicLink(realSidecar, elsewhere);
        byte[] elsewhereBefore = Files.readAllBytes(elsewhere);
        try (EmlStore store = EmlStore.builder().root(root).build()) {
            assertThat(store.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactly(FolderPath.INBOX, FolderPath.of("Real"));
            List<SkippedItem> skipped = new ArrayList<>(store.skipped());
            for (FolderPath p : List.of(FolderPath.INBOX, FolderPath.of("Real"))) {
                try (MailFolder f = store.openFolder(p)) {
                    listAll(f);
                    skipped.addAll(f.skipped());
                }
            }
            // The linked directory is named by the root folder's scan; INBOX is a directory here,
            // so the root is no folder and the store names what lies in it.
            assertThat(skipped)
                    .extracting(SkippedItem::location)
                    .containsExactlyInAnyOrder("Linked", "INBOX/link.eml", "Real/" + Sidecar.FILE_NAME);
            assertThat(skipped).allMatch(s -> s.reason().contains("link"));
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                assertThat(listAll(inbox)).isEmpty();
            }
            try (MailFolder real = store.openFolder(FolderPath.of("Real"))) {
                // Read as a folder without a sidecar: the message is there, with an id from its bytes.
                assertThat(listAll(real)).hasSize(1);
                assertThatThrownBy(() -> append(real, message("more", "n"), Flags.NONE))
                        .isInstanceOf(FolderUnusableException.class)
                        .hasMessageContaining("link");
            }
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("Linked")))
                    .isInstanceOf(FolderUnusableException.class);
        }
        assertThat(Files.readAllBytes(elsewhere)).isEqualTo(elsewhereBefore);
        assertThat(Files.readAllBytes(secret)).startsWith("Subject: secret".getBytes(StandardCharsets.US_ASCII));
        assertThat(messageFiles(other)).containsExactly("theirs.eml");
    }

    // ---- big messages

    /** A message of {@code size} bytes, generated as it is read. */
    private static InputStream generated(long size) {
        byte[] header = "Subject: big\r\nMIME-Version: 1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            long pos;

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) read();
                }
                return n;
            }

            @Override
            public int read() {
                if (pos >= size) {
                    return -1;
                }
                long p = pos++;
                if (p < header.length) {
                    return header[(int) p];
                }
                long col = (p - header.length) % 78;
                return col == 76 ? '\r' : col == 77 ? '\n' : 'A' + (int) ((p * 31) % 26);
            }
        };
    }

    @Test
    void aBigMessageIsStreamedToDiskAndBackNeverHeldInMemory() throws Exception {
        long size = 96L << 20;
        MessageSpool spool = MessageSpool.of(1 << 20, tmp);
        Path root = tmp.resolve("t");
        byte[] expected;
        try (InputStream in = generated(size)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            expected = sha.digest();
        }
        try (EmlStore store = EmlStore.builder().root(root).spool(spool).build();
                RawMessage big = spool.spool(new java.io.BufferedInputStream(generated(size), 1 << 16), size);
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(big.inMemory()).isFalse();
            Heap.resetPeak();
            long base = Heap.peakMb();
            MessageUid uid =
                    inbox.append(new AppendRequest(big, Flags.NONE, DATE)).orElseThrow();
            MessageInfo info = listAll(inbox).get(0);
            assertThat(info.size()).isEqualTo(size);
            try (RawMessage back = inbox.read(uid).orElseThrow();
                    InputStream in = back.openStream()) {
                assertThat(back.inMemory()).isFalse();
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                }
                assertThat(sha.digest()).isEqualTo(expected);
            }
            assertThat(Heap.peakMb() - base).as("heap grown by (MB)").isLessThan(48);
        }
    }

    // ---- a kill during an append

    @ParameterizedTest
    @ValueSource(strings = {"sidecar-written", "files-placed"})
    void aKillDuringAnAppendNeitherLosesNorDuplicates(String step) throws Exception {
        Path root = tmp.resolve("t");
        Path checkpoints = tmp.resolve("checkpoints");
        try (InMemoryStore source = InMemoryStore.create("memory:old")) {
            Map<String, Flags> expected = new TreeMap<>();
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < 7; i++) {
                    Flags flags = i % 2 == 0 ? Flags.of(Flag.SEEN) : Flags.of(Set.of(Flag.FLAGGED), Set.of("$Work"));
                    try (RawMessage raw = RawMessage.of(message("m" + i, "body " + i))) {
                        inbox.append(new AppendRequest(raw, flags, DATE));
                    }
                    expected.put("m" + i, flags);
                }
            }
            boolean[] killed = {false};
            try (EmlStore dying = EmlStore.builder()
                    .root(root)
                    .crashPoint(s -> {
                        if (s.equals(step) && !killed[0]) {
                            killed[0] = true;
                            throw new IllegalStateException("killed at " + s);
                        }
                    })
                    .build()) {
                try {
                    SyncEngine.builder()
                            .source(source)
                            .target(dying)
                            .checkpointDirectory(checkpoints)
                            .build()
                            .run();
                } catch (RuntimeException e) {
                    assertThat(e).hasStackTraceContaining("killed at " + step);
                }
            }
            assertThat(killed[0]).isTrue();
            SyncReport report;
            try (EmlStore target = EmlStore.builder().root(root).build()) {
                report = SyncEngine.builder()
                        .source(source)
                        .target(target)
                        .checkpointDirectory(checkpoints)
                        .build()
                        .run();
                assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            }
            try (EmlStore reader = EmlStore.builder().root(root).readOnly(true).build();
                    MailFolder inbox = reader.openFolder(FolderPath.INBOX)) {
                Map<String, Flags> found = new TreeMap<>();
                for (MessageInfo m : listAll(inbox)) {
                    String text = new String(read(inbox, m.uid()), StandardCharsets.UTF_8);
                    String subject = text.substring(text.indexOf("Subject: ") + 9, text.indexOf("\r\nDate"));
                    assertThat(found.put(subject, m.flags()))
                            .as("%s twice", subject)
                            .isNull();
                }
                assertThat(found).isEqualTo(expected);
            }
        }
    }

    @Test
    void idsAKilledAppendRecordedAreNeverReusedAndItsTempFilesGoOnceStale() throws Exception {
        Path root = tmp.resolve("t");
        MessageUid lost;
        try (EmlStore store = EmlStore.builder()
                        .root(root)
                        .crashPoint(s -> {
                            if (s.equals("sidecar-written")) {
                                throw new IllegalStateException("killed");
                            }
                        })
                        .build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            lost = inbox.status().nextUid();
            assertThatThrownBy(() -> append(inbox, message("lost", "x"), Flags.NONE))
                    .isInstanceOf(IllegalStateException.class);
        }
        Path stale = root.resolve("INBOX").resolve(EmlStore.CONTROL_PREFIX + "-left-by-a-kill.tmp");
        Files.write(stale, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
        try (EmlStore store = EmlStore.builder().root(root).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(listAll(inbox)).isEmpty();
            assertThat(inbox.skipped()).isEmpty();
            assertThat(inbox.status().nextUid()).isGreaterThan(lost);
            MessageUid next = append(inbox, message("lost", "x"), Flags.NONE);
            assertThat(next).isGreaterThan(lost);
            assertThat(messageFiles(root.resolve("INBOX"))).containsExactly("2024-05-01 1032 lost.eml");
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void aDamagedSidecarIsReportedAndTheFolderIsNotWrittenUntilItIsMovedAway() throws Exception {
        Path root = tmp.resolve("t");
        try (EmlStore store = EmlStore.builder().root(root).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            append(inbox, message("one", "1"), Flags.of(Flag.SEEN));
        }
        Files.writeString(root.resolve("INBOX").resolve(Sidecar.FILE_NAME), "garbage\n");
        try (EmlStore store = EmlStore.builder().root(root).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(listAll(inbox)).hasSize(1);
            assertThat(inbox.warnings()).singleElement().asString().contains("damaged");
            assertThatThrownBy(() -> append(inbox, message("two", "2"), Flags.NONE))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("damaged");
        }
        assertThat(Files.readString(root.resolve("INBOX").resolve(Sidecar.FILE_NAME)))
                .isEqualTo("garbage\n");
    }

    @Test
    void sidecarRoundTripsNamesWithTabsPercentAndLineBreaks() {
        Sidecar s = new Sidecar(
                "a\tb%c",
                7,
                12,
                Map.of(
                        "x\ty%z\n.eml",
                        new Sidecar.Entry(3, 10, Flags.of(Set.of(Flag.SEEN), Set.of("$Junk")), "x\ty%z\n.eml", true),
                        "plain.eml",
                        new Sidecar.Entry(11, 20, Flags.NONE, "plain.eml", false)));
        Sidecar back = Sidecar.parse(s.format());
        assertThat(back).isEqualTo(s);
        assertThat(new String(s.format(), StandardCharsets.UTF_8).lines().count())
                .isEqualTo(6);
        assertThat(String.format(Locale.ROOT, "%s", back.entries().get("plain.eml")))
                .contains("asStored=false");
    }
}
