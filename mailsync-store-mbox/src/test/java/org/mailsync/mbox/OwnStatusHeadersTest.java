package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Messages that carry status headers of their own (because they once lived in an mbox) come back
 * from an mbox this store wrote byte for byte with the flags they were written with; foreign mbox
 * files in the styles of Thunderbird, mutt, c-client, Dovecot and list archives still give their
 * flags from these headers.
 */
class OwnStatusHeadersTest {
    @TempDir
    Path dir;

    private static final Instant DATE = Instant.parse("2024-02-29T13:14:15Z");

    /** Messages whose own header blocks hold every header an mbox reader takes flags from. */
    static final List<String> CARRIERS = List.of(
            // Thunderbird: read and deleted-not-compacted, as a message saved from Local Folders may be.
            "X-Mozilla-Status: 0009\r\nX-Mozilla-Status2: 00200000\r\nX-Mozilla-Keys: $label1 Important       \r\n"
                    + "Subject: thunderbird\r\n\r\nbody\r\n",
            // mutt / c-client: the lines at the end of the header, c-client's X-UID and X-Keywords.
            "Subject: mutt\r\nStatus: RO\r\nX-Status: AFTD\r\nX-Keywords: Work Later\r\nX-UID: 99999\r\n\r\nbody\r\n",
            // Dovecot, with an X-IMAPbase (as its first message has) and a Content-Length that frames.
            "X-IMAPbase: 1700000000 0000000042 Work\r\nSubject: dovecot\r\nStatus: O\r\nX-Keywords: Work   \r\n"
                    + "Content-Length: 6\r\nX-UID: 41\r\n\r\nhello\r\n",
            // A list archive (Mail::Box style): Content-Length and Lines, Status last.
            "From: list@example.org\r\nSubject: archive\r\nContent-Length: 3\r\nLines: 1\r\nStatus: RO\r\n"
                    + "X-Status: F\r\n\r\nab\r\n",
            // Only status lines, no other header, and one that starts our own block's shape.
            "X-Keywords: Spoof\r\nStatus: RO\r\nX-Status: A\r\nX-UID: 5\r\n\r\nbody\r\n",
            "Status: RO\r\n\r\n",
            // c-client's pseudo message header, in a message that is not first.
            "X-IMAP: 1 0000000009\r\nSubject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\r\n\r\nx\r\n");

    static final List<Flags> FLAGS = List.of(
            Flags.NONE,
            Flags.of(Flag.FLAGGED),
            Flags.of(Set.of(), Set.of("$Forwarded")),
            Flags.of(Set.of(Flag.SEEN, Flag.DRAFT), Set.of("Other")),
            Flags.NONE,
            Flags.of(Flag.ANSWERED),
            Flags.of(Flag.DELETED));

    enum Setup {
        PLAIN_DEFAULT(MboxLayout.PLAIN_DIRECTORIES, null, LineEnding.LF),
        PLAIN_MBOXRD(MboxLayout.PLAIN_DIRECTORIES, MboxFormat.MBOXRD, LineEnding.LF),
        PLAIN_MBOXCL2_CRLF(MboxLayout.PLAIN_DIRECTORIES, MboxFormat.MBOXCL2, LineEnding.CRLF),
        THUNDERBIRD_DEFAULT(MboxLayout.THUNDERBIRD, null, LineEnding.LF),
        THUNDERBIRD_MBOXCL2(MboxLayout.THUNDERBIRD, MboxFormat.MBOXCL2, LineEnding.LF);

        final MboxLayout layout;
        final MboxFormat format;
        final LineEnding eol;

        Setup(MboxLayout layout, MboxFormat format, LineEnding eol) {
            this.layout = layout;
            this.format = format;
            this.eol = eol;
        }

        MboxStore store(Path root) {
            MboxStore.Builder b = MboxStore.builder().root(root).layout(layout).lineEnding(eol);
            if (format != null) {
                b.format(format);
            }
            return b.build();
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void messagesWithStatusHeadersOfTheirOwnComeBackUnchangedWithTheirFlags(Setup setup) throws Exception {
        List<MessageUid> ids = new ArrayList<>();
        try (MboxStore store = setup.store(dir);
                MailFolder f = store.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < CARRIERS.size(); i++) {
                try (RawMessage raw = RawMessage.of(CARRIERS.get(i).getBytes(StandardCharsets.ISO_8859_1))) {
                    ids.add(f.append(new AppendRequest(raw, FLAGS.get(i), DATE)).orElseThrow());
                }
            }
        }
        // A fresh store: nothing remembered, all read from the file.
        try (MboxStore store = setup.store(dir);
                MailFolder f = store.openFolder(FolderPath.INBOX)) {
            assertReadBack(f, FLAGS);
            assertThat(store.scanReport(FolderPath.INBOX).problems()).isEmpty();
            // A flag change in place, then one that forces a rewrite of the file: still unchanged.
            f.storeFlags(List.of(ids.get(0)), FlagsUpdateMode.ADD, Flags.of(Flag.SEEN));
            List<Flags> expected = new ArrayList<>(FLAGS);
            expected.set(0, Flags.of(Flag.SEEN));
            assertReadBack(f, expected);
            Set<String> many = new java.util.TreeSet<>();
            for (int i = 0; i < 30; i++) {
                many.add("keyword" + i);
            }
            f.storeFlags(List.of(ids.get(1)), FlagsUpdateMode.ADD, Flags.of(Set.of(), many));
            expected.set(1, Flags.of(Set.of(Flag.FLAGGED), many));
            assertReadBack(f, expected);
            f.delete(List.of(ids.get(2)));
            expected.remove(2);
            List<String> bodies = new ArrayList<>(CARRIERS);
            bodies.remove(2);
            assertReadBack(f, expected, bodies);
        }
    }

    private static void assertReadBack(MailFolder f, List<Flags> flags) throws Exception {
        assertReadBack(f, flags, CARRIERS);
    }

    private static void assertReadBack(MailFolder f, List<Flags> flags, List<String> messages) throws Exception {
        List<MessageInfo> infos = new ArrayList<>();
        f.list(MessageQuery.all(), infos::addAll);
        assertThat(infos).extracting(MessageInfo::flags).isEqualTo(flags);
        assertThat(infos).extracting(MessageInfo::internalDate).containsOnly(DATE);
        for (int i = 0; i < infos.size(); i++) {
            try (RawMessage raw = f.read(infos.get(i).uid()).orElseThrow()) {
                assertThat(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1))
                        .as("message %s", i)
                        .isEqualTo(messages.get(i));
                assertThat(infos.get(i).size()).isEqualTo(raw.size());
            }
        }
    }

    // ---- foreign files: flags from their headers, the headers taken out

    private List<MessageInfo> readForeign(String content, List<String> bodies, MboxLayout layout) throws Exception {
        Path root = dir.resolve("foreign");
        Files.createDirectories(root);
        Files.writeString(
                root.resolve(layout == MboxLayout.THUNDERBIRD ? "Inbox" : "inbox"),
                content,
                StandardCharsets.ISO_8859_1);
        try (MboxStore store = MboxStore.builder().root(root).layout(layout).build();
                MailFolder f = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> infos = new ArrayList<>();
            f.list(MessageQuery.all(), infos::addAll);
            List<String> read = new ArrayList<>();
            for (MessageInfo info : infos) {
                try (RawMessage raw = f.read(info.uid()).orElseThrow()) {
                    read.add(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(read).isEqualTo(bodies);
            return infos;
        }
    }

    @Test
    void thunderbirdStyle() throws Exception {
        List<MessageInfo> infos = readForeign(
                "From - Thu Feb 29 13:14:15 2024\nX-Mozilla-Status: 1005\nX-Mozilla-Status2: 00000000\n"
                        + "X-Mozilla-Keys: $label1 Work                 \nSubject: a\n\nbody\n\n"
                        + "From - Thu Feb 29 13:14:16 2024\nX-Mozilla-Status: 0002\nX-Mozilla-Status2: 00200000\n"
                        + "X-Mozilla-Keys:                                  \nSubject: b\n\n>From the start (Thunderbird quotes it)\n\n",
                List.of("Subject: a\r\n\r\nbody\r\n", "Subject: b\r\n\r\nFrom the start (Thunderbird quotes it)\r\n"),
                MboxLayout.THUNDERBIRD);
        assertThat(infos)
                .extracting(MessageInfo::flags)
                .containsExactly(
                        Flags.of(Set.of(Flag.SEEN, Flag.FLAGGED), Set.of("$label1", "Work", "$Forwarded")),
                        Flags.of(Flag.ANSWERED, Flag.DELETED));
    }

    @Test
    void muttAndCClientStyle() throws Exception {
        List<MessageInfo> infos = readForeign(
                "From MAILER-DAEMON Thu Feb 29 13:14:15 2024\nDate: Thu, 29 Feb 2024 13:14:15 +0000\n"
                        + "From: Mail System Internal Data <MAILER-DAEMON@host>\n"
                        + "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
                        + "X-IMAP: 1709212455 0000000002 Work\nStatus: RO\n\ninternal\n\n"
                        + "From alice@example.org Thu Feb 29 13:14:16 2024\nSubject: c-client\nStatus: RO\n"
                        + "X-Status: DFT\nX-Keywords: Work\nX-UID: 1\n\nbody\n\n"
                        + "From bob@example.org Thu Feb 29 13:14:17 2024\nSubject: mutt\nStatus: O\n"
                        + "X-Status: A\nContent-Length: 5\nLines: 1\n\nFrom\n\n",
                List.of("Subject: c-client\r\n\r\nbody\r\n", "Subject: mutt\r\nLines: 1\r\n\r\nFrom\r\n"),
                MboxLayout.PLAIN_DIRECTORIES);
        assertThat(infos).extracting(i -> i.uid().value()).containsExactly(1L, 2L);
        assertThat(infos)
                .extracting(MessageInfo::flags)
                .containsExactly(
                        Flags.of(Set.of(Flag.SEEN, Flag.DELETED, Flag.FLAGGED, Flag.DRAFT), Set.of("Work")),
                        Flags.of(Flag.ANSWERED));
    }

    @Test
    void dovecotStyle() throws Exception {
        List<MessageInfo> infos = readForeign(
                "From alice@example.org Thu Feb 29 13:14:15 2024\nSubject: one\n"
                        + "X-IMAPbase: 1709212455 0000000008 Work $Junk\nStatus: RO\nX-Status: F\n"
                        + "X-Keywords: Work $Junk                                   \nContent-Length: 16\n"
                        + "X-UID: 7\n\nFrom the body\n>\n\n"
                        + "From bob@example.org Thu Feb 29 13:14:16 2024\nSubject: two\nStatus: O\n"
                        + "X-Keywords:                                             \nX-UID: 8\n\nx\n\n",
                List.of("Subject: one\r\n\r\nFrom the body\r\n>\r\n", "Subject: two\r\n\r\nx\r\n"),
                MboxLayout.PLAIN_DIRECTORIES);
        assertThat(infos).extracting(i -> i.uid().value()).containsExactly(7L, 8L);
        assertThat(infos)
                .extracting(MessageInfo::flags)
                .containsExactly(Flags.of(Set.of(Flag.SEEN, Flag.FLAGGED), Set.of("Work", "$Junk")), Flags.NONE);
    }

    @Test
    void listArchiveStyle() throws Exception {
        List<MessageInfo> infos = readForeign(
                "From list-bounces@example.org  Thu Feb 29 13:14:15 2024\nFrom: a at example.org (A)\n"
                        + "Subject: [list] one\nContent-Length: 13\nLines: 2\nStatus: RO\nX-Status: A\n\n"
                        + ">From here\nx\n\n"
                        + "From list-bounces@example.org  Thu Feb 29 13:14:16 2024\nSubject: [list] two\n"
                        + "Status: O\n\nno length\n\n",
                List.of(
                        "From: a at example.org (A)\r\nSubject: [list] one\r\nLines: 2\r\n\r\n>From here\r\nx\r\n",
                        "Subject: [list] two\r\n\r\nno length\r\n"),
                MboxLayout.PLAIN_DIRECTORIES);
        assertThat(infos)
                .extracting(MessageInfo::flags)
                .containsExactly(Flags.of(Flag.SEEN, Flag.ANSWERED), Flags.NONE);
    }

    @Test
    void aForeignMessageThatOnlyLooksLikeOursHalfWayIsStillReadAsForeign() throws Exception {
        // Our block's first lines, then a header line that our block never has: foreign.
        List<MessageInfo> infos = readForeign(
                "From a@example.org Thu Feb 29 13:14:15 2024\nX-Keywords: Work\nStatus: RO\nSubject: s\n"
                        + "X-Status: F\nX-UID: 3\n\nb\n\n",
                List.of("Subject: s\r\n\r\nb\r\n"),
                MboxLayout.PLAIN_DIRECTORIES);
        assertThat(infos).singleElement().satisfies(i -> {
            assertThat(i.flags()).isEqualTo(Flags.of(Set.of(Flag.SEEN, Flag.FLAGGED), Set.of("Work")));
            assertThat(i.uid().value()).isEqualTo(3L);
        });
    }

    @Test
    void appendingToAForeignFileKeepsBothReadings() throws Exception {
        Path root = dir.resolve("mixed");
        Files.createDirectories(root);
        Files.writeString(
                root.resolve("inbox"),
                "From a@example.org Thu Feb 29 13:14:15 2024\nSubject: foreign\nStatus: RO\nX-Status: F\n\nb\n\n",
                StandardCharsets.ISO_8859_1);
        String carrier = CARRIERS.get(1);
        try (MboxStore store = MboxStore.builder().root(root).build();
                MailFolder f = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(carrier.getBytes(StandardCharsets.ISO_8859_1))) {
            f.append(new AppendRequest(raw, Flags.NONE, DATE));
        }
        try (MboxStore store = MboxStore.builder().root(root).build();
                MailFolder f = store.openFolder(FolderPath.INBOX)) {
            assertReadBack(
                    f,
                    List.of(Flags.of(Flag.SEEN, Flag.FLAGGED), Flags.NONE),
                    List.of("Subject: foreign\r\n\r\nb\r\n", carrier));
        }
    }
}
