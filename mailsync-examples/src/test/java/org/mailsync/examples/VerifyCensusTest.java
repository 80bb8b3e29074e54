package org.mailsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.RawMessage;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * verify counts a local source without the store code: what a store skipped (a folder with only
 * {@code new/}, a link, a file that is not mbox, a first message hidden behind a BOM) cannot verify
 * OK. The "store" here is an in-memory one that holds what a store with those blind spots read.
 */
@Timeout(60)
class VerifyCensusTest {
    private static final Instant DATE = Instant.parse("2024-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private static byte[] message(String id) {
        return ("Message-ID: <" + id + "@example.org>\r\nSubject: " + id + "\r\n\r\nBody " + id + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Source and target stores holding the same messages: what the verify pass compares. */
    private static InMemoryStore store(String name, Object... folderAndCount) throws Exception {
        InMemoryStore store = InMemoryStore.create(name);
        for (int i = 0; i < folderAndCount.length; i += 2) {
            FolderPath path = (FolderPath) folderAndCount[i];
            store.createFolder(path);
            try (MailFolder f = store.openFolder(path)) {
                for (int n = 0; n < (Integer) folderAndCount[i + 1]; n++) {
                    try (RawMessage raw = RawMessage.of(message(path + "-" + n))) {
                        f.append(new AppendRequest(raw, Flags.NONE, DATE));
                    }
                }
            }
        }
        return store;
    }

    private static VerifyReport verify(MailStore source, SourceCensus census) throws Exception {
        // The target is a faithful copy of what the source store read.
        InMemoryStore target = InMemoryStore.create("target");
        for (var f : source.listFolders()) {
            target.createFolder(f.path());
            try (MailFolder from = source.openFolder(f.path());
                    MailFolder to = target.openFolder(f.path())) {
                List<org.mailsync.MessageUid> uids = new java.util.ArrayList<>();
                from.list(org.mailsync.spi.MessageQuery.all(), b -> b.forEach(i -> uids.add(i.uid())));
                from.readAll(uids, (uid, raw) -> {
                    try (raw) {
                        to.append(new AppendRequest(raw, Flags.NONE, DATE));
                    }
                });
            } catch (MailStoreException e) {
                // a folder that cannot be opened is not copied
            }
        }
        return MailboxVerifier.verify(source, target, FolderMapping.defaults(), MessageSelection.all(), census);
    }

    private static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
    }

    private Path maildir() throws Exception {
        Path root = dir.resolve("Maildir");
        for (String d : List.of("cur", "new", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        write(root.resolve("cur/1.a:2,S"), "Subject: 1\r\n\r\n1\r\n");
        write(root.resolve("cur/2.a:2,"), "Subject: 2\r\n\r\n2\r\n");
        write(root.resolve("new/3.a"), "Subject: 3\r\n\r\n3\r\n");
        write(root.resolve("dovecot-uidlist"), "3 V1 N4\n"); // bookkeeping, not mail
        write(root.resolve("tmp/4.a"), "half a deliv"); // unfinished delivery, not mail yet
        // A Maildir++ folder with new/ only (as Dovecot serves it).
        for (int i = 0; i < 3; i++) {
            write(root.resolve(".Archiv.2023/new/" + i + ".b"), "Subject: a" + i + "\r\n\r\nx\r\n");
        }
        // A folder named in modified UTF-7: Entwürfe.
        write(root.resolve(".Entw&APw-rfe/cur/1.c:2,D"), "Subject: d\r\n\r\nd\r\n");
        return root;
    }

    @Test
    void aMaildirTheStoreReadInFullVerifiesClean() throws Exception {
        Path root = maildir();
        InMemoryStore source =
                store("source", FolderPath.INBOX, 3, FolderPath.of("Archiv", "2023"), 3, FolderPath.of("Entwürfe"), 1);

        VerifyReport report = verify(source, SourceCensus.maildir(root));

        assertThat(report.unaccounted()).as(report.toText()).isEmpty();
        assertThat(report.clean()).as(report.toText()).isTrue();
    }

    @Test
    void aMaildirFolderWithOnlyNewALinkAndAStrayFileAreUnaccounted() throws Exception {
        Path root = maildir();
        Path outside = Files.writeString(dir.resolve("shadow"), "root:x:0:0\n");
        Files.createSymbolicLink(root.resolve("cur/5.a:2,S"), outside);
        Files.createSymbolicLink(root.resolve(".Linked"), root.resolve(".Archiv.2023"));
        write(root.resolve("notes.txt"), "not mail\n");
        // The store's blind spot: it did not list the new/-only folder.
        InMemoryStore source = store("source", FolderPath.INBOX, 3, FolderPath.of("Entwürfe"), 1);

        VerifyReport report = verify(source, SourceCensus.maildir(root));

        assertThat(report.clean()).isFalse();
        assertThat(report.unaccounted())
                .extracting(VerifyReport.Unaccounted::toString)
                .containsExactlyInAnyOrder(
                        root.resolve(".Archiv.2023") + ": 3 messages counted here, in a folder the store did not list",
                        root.resolve(".Linked") + ": symbolic link, not followed",
                        root.resolve("cur/5.a:2,S") + ": symbolic link, not followed",
                        root.resolve("notes.txt") + ": not a message file (outside cur/ and new/)");
        assertThat(report.toText()).contains("unaccounted for in the source (4)", ".Archiv.2023", "notes.txt");
    }

    @Test
    void aFolderTheStoreReadOnlyInPartIsUnaccounted() throws Exception {
        Path root = maildir();
        InMemoryStore source =
                store("source", FolderPath.INBOX, 2, FolderPath.of("Archiv", "2023"), 3, FolderPath.of("Entwürfe"), 1);

        VerifyReport report = verify(source, SourceCensus.maildir(root));

        assertThat(report.unaccounted())
                .extracting(VerifyReport.Unaccounted::toString)
                .containsExactly(root + ": 3 messages counted here, the store read 2");
    }

    private static final String BOM = "\u00ef\u00bb\u00bf"; // UTF-8 BOM as ISO-8859-1 chars

    private Path mboxDirectory() throws Exception {
        Path root = dir.resolve("mail");
        // Starts with a BOM and a blank line: two messages.
        write(
                root.resolve("inbox"),
                BOM + "\nFrom a@example.org Sat Jun  1 12:00:00 2024\nSubject: 1\n\none\n\n"
                        + "From b@example.org Sat Jun  1 12:00:00 2024\nSubject: 2\n\ntwo\n");
        // Three messages; the second's Content-Length frames a body with an unquoted From line,
        // the third has a quoted one.
        String body = "see below\n\nFrom the desk of the editor\nbye\n";
        write(
                root.resolve("Archive"),
                "From a@example.org Sat Jun  1 12:00:00 2024\nSubject: 1\n\none\n\n"
                        + "From b@example.org Sat Jun  1 12:00:00 2024\nSubject: 2\nContent-Length: "
                        + body.length() + "\n\n" + body + "\n"
                        + "From c@example.org Sat Jun  1 12:00:00 2024\nSubject: 3\n\n>From here\nthree\n");
        // Thunderbird: a sub-folder in Archive.sbd, its summary file, a message marked expunged.
        write(
                root.resolve("Archive.sbd/2023"),
                "From - Sat Jun  1 12:00:00 2024\nX-Mozilla-Status: 0009\nSubject: gone\n\ngone\n\n"
                        + "From - Sat Jun  1 12:00:00 2024\nX-Mozilla-Status: 0001\nSubject: kept\n\nkept\n");
        write(root.resolve("Archive.msf"), "// <!-- <mdb:mork:z v=\"1.4\"/> -->\n");
        write(root.resolve("Empty"), "");
        return root;
    }

    @Test
    void anMboxDirectoryTheStoreReadInFullVerifiesClean() throws Exception {
        Path root = mboxDirectory();
        InMemoryStore source =
                store("source", FolderPath.INBOX, 2, FolderPath.of("Archive"), 3, FolderPath.of("Archive", "2023"), 1);

        VerifyReport report = verify(source, SourceCensus.mbox(root));

        assertThat(report.unaccounted()).as(report.toText()).isEmpty();
        assertThat(report.clean()).isTrue();
    }

    @Test
    void aBomThatHidesTheFirstMessageANonMboxFileAndALinkAreUnaccounted() throws Exception {
        Path root = mboxDirectory();
        write(root.resolve("notes.txt"), "Remember: migrate the mail\n");
        Files.createSymbolicLink(root.resolve("Loop"), root);
        // The store's blind spot: the message after the BOM was lost.
        InMemoryStore source =
                store("source", FolderPath.INBOX, 1, FolderPath.of("Archive"), 3, FolderPath.of("Archive", "2023"), 1);

        VerifyReport report = verify(source, SourceCensus.mbox(root));

        assertThat(report.unaccounted())
                .extracting(VerifyReport.Unaccounted::toString)
                .containsExactlyInAnyOrder(
                        root.resolve("inbox") + ": 2 messages counted here, the store read 1",
                        root.resolve("notes.txt") + ": not an mbox file (no From line at its start), 27 bytes",
                        root.resolve("Loop") + ": symbolic link, not followed");
    }

    @Test
    void aSingleMboxFileIsTheInbox() throws Exception {
        Path file = dir.resolve("one.mbox");
        write(file, BOM + "From a@example.org Sat Jun  1 12:00:00 2024\nSubject: 1\n\none\n");

        assertThat(SourceCensus.mbox(file).folders())
                .containsExactly(new SourceCensus.Folder(FolderPath.INBOX, file, 1));
    }

    @Test
    void aFolderThatFailsToOpenIsAFindingAndTheOthersAreStillCompared() throws Exception {
        Path root = maildir();
        InMemoryStore inner =
                store("source", FolderPath.INBOX, 3, FolderPath.of("Archiv", "2023"), 3, FolderPath.of("Entwürfe"), 1);
        MailStore source = new ForwardingMailStore(inner) {
            @Override
            public MailFolder openFolder(FolderPath path) throws MailStoreException {
                if (path.equals(FolderPath.of("Archiv", "2023"))) {
                    throw new FolderUnusableException(ErrorContext.of("source", path), "the folder is gone", null);
                }
                return super.openFolder(path);
            }
        };

        VerifyReport report = verify(source, SourceCensus.maildir(root));

        assertThat(report.folders()).hasSize(4); // with the parent Archiv that the store made
        assertThat(report.folders())
                .filteredOn(f -> f.error() != null)
                .singleElement()
                .satisfies(f -> assertThat(f.error()).contains("the folder is gone"));
        assertThat(report.folders()).filteredOn(f -> f.error() == null).allMatch(VerifyReport.FolderComparison::clean);
        assertThat(report.unaccounted())
                .extracting(VerifyReport.Unaccounted::reason)
                .singleElement()
                .asString()
                .contains("3 messages counted here; the folder could not be read");
        assertThat(report.clean()).isFalse();
    }

    @Test
    void modifiedUtf7NamesAreDecoded() {
        assertThat(SourceCensus.decodeModifiedUtf7("Entw&APw-rfe")).isEqualTo("Entwürfe");
        assertThat(SourceCensus.decodeModifiedUtf7("A&-B")).isEqualTo("A&B");
        assertThat(SourceCensus.decodeModifiedUtf7("&ZeVnLIqe-")).isEqualTo("日本語");
    }
}
