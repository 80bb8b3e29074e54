package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** Maildirs of the shapes real trees have: a folder is a directory with cur/ or new/ (Dovecot's rule). */
class MaildirShapesTest {
    @TempDir
    Path root;

    private MaildirStore source() {
        return MaildirStore.builder().root(root).createRoot(false).build();
    }

    static List<MessageInfo> list(MailFolder folder) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        folder.list(MessageQuery.all(), all::addAll);
        return all;
    }

    static byte[] read(MailFolder folder, MessageInfo info) throws Exception {
        try (RawMessage raw = folder.read(info.uid()).orElseThrow()) {
            return raw.toByteArray();
        }
    }

    /** Writes {@code count} messages with LF line ends, as procmail or git leave them. */
    static void deliver(Path dir, int count) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            Files.writeString(
                    dir.resolve("17000000" + String.format("%02d", i) + ".M" + i + "P1.host"
                            + (dir.endsWith("cur") ? ":2,S" : "")),
                    "Subject: message " + i + "\nFrom: a@example.org\n\nbody " + i + "\n");
        }
    }

    static Set<String> directories(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isDirectory)
                    .map(p -> root.relativize(p).toString())
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void aMaildirPlusPlusSubfolderWithOnlyNewIsListedAndRead() throws Exception {
        deliver(root.resolve("cur"), 1);
        deliver(root.resolve(".Lists/new"), 5);
        try (MaildirStore store = source()) {
            assertThat(store.listFolders()).contains(new FolderInfo(FolderPath.of("Lists"), true, null, false));
            try (MailFolder lists = store.openFolder(FolderPath.of("Lists"))) {
                List<MessageInfo> infos = list(lists);
                assertThat(infos).hasSize(5);
                assertThat(new String(read(lists, infos.get(0)), StandardCharsets.US_ASCII))
                        .isEqualTo("Subject: message 0\r\nFrom: a@example.org\r\n\r\nbody 0\r\n");
            }
        }
    }

    @Test
    void aRootWithOnlyNewOpensAndReadingCreatesNoDirectory() throws Exception {
        deliver(root.resolve("new"), 3);
        Set<String> before = directories(root);
        try (MaildirStore store = source();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).containsExactly(FolderPath.INBOX);
            assertThat(list(inbox)).hasSize(3);
            assertThat(inbox.status().messageCount()).isEqualTo(3);
        }
        assertThat(directories(root)).isEqualTo(before);
    }

    @Test
    void aFolderWithCurButNoNewIsReadNotGone() throws Exception {
        // How git stores a Maildir: it keeps no empty directory, so new/ and tmp/ are gone.
        deliver(root.resolve("cur"), 2);
        deliver(root.resolve(".Archive/cur"), 4);
        Set<String> before = directories(root);
        try (MaildirStore store = source()) {
            assertThat(store.listFolders()).contains(new FolderInfo(FolderPath.of("Archive"), true, null, false));
            try (MailFolder archive = store.openFolder(FolderPath.of("Archive"));
                    MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                assertThat(list(archive)).hasSize(4).allMatch(m -> m.flags().equals(Flags.of(Flag.SEEN)));
                assertThat(archive.status().messageCount()).isEqualTo(4);
                assertThat(list(inbox)).hasSize(2);
            }
        }
        assertThat(directories(root)).isEqualTo(before);
    }

    @Test
    void theFsLayoutListsFoldersWithOnlyNewOrOnlyCur() throws Exception {
        deliver(root.resolve("new"), 1);
        deliver(root.resolve("Lists/new"), 2);
        deliver(root.resolve("Lists/java/cur"), 3);
        try (MaildirStore store = MaildirStore.builder()
                .root(root)
                .layout(MaildirLayout.FS)
                .createRoot(false)
                .build()) {
            assertThat(store.listFolders())
                    .contains(
                            new FolderInfo(FolderPath.of("Lists"), true, null, false),
                            new FolderInfo(FolderPath.of("Lists", "java"), true, null, false));
            try (MailFolder java = store.openFolder(FolderPath.of("Lists", "java"))) {
                assertThat(list(java)).hasSize(3);
            }
        }
    }

    @Test
    void writingIntoAFolderWithOnlyNewAddsTheMissingDirectoriesThen() throws Exception {
        deliver(root.resolve("new"), 1);
        try (MaildirStore store = source();
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of("Subject: x\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII))) {
            inbox.append(new AppendRequest(raw, Flags.of(Flag.SEEN), java.time.Instant.parse("2024-01-01T00:00:00Z")));
            assertThat(list(inbox)).hasSize(2);
        }
        assertThat(root.resolve("cur")).isDirectory();
        assertThat(root.resolve("tmp")).isDirectory();
    }
}
