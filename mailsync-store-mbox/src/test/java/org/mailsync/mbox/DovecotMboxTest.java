package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags.Flag;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * Against a real Dovecot (2.3) with mbox storage: files Dovecot wrote (filled over IMAP, flags and
 * keywords set over IMAP) are read with the right messages, bytes, flags, dates and even ids; and
 * a tree this store wrote is served by Dovecot with the same bytes, flags, keywords and dates.
 */
@Tag("dovecot")
class DovecotMboxTest {
    private static final String LOCATION = "mbox:~/mail:INBOX=~/mail/inbox";

    private static final List<byte[]> MESSAGES = List.of(
            TestMessages.simple("plain", "hello"),
            ("From: a@example.org\r\nSubject: from lines\r\n\r\nFrom the top\r\n>From quoted\r\n\r\n"
                            + "From me Thu Feb 29 13:14:15 2024\r\nend\r\n")
                    .getBytes(StandardCharsets.US_ASCII),
            TestMessages.eightBitHeaders(),
            TestMessages.emptyBody());

    private static final List<Instant> DATES = List.of(
            Instant.parse("2020-01-02T03:04:05Z"),
            Instant.parse("2021-06-07T08:09:10Z"),
            Instant.parse("2022-11-12T13:14:15Z"),
            Instant.parse("2023-12-31T23:59:59Z"));

    private static Session session() {
        Properties props = new Properties();
        props.put("mail.imap.peek", "true");
        props.put("mail.imap.connectiontimeout", "10000");
        props.put("mail.imap.timeout", "20000");
        return Session.getInstance(props);
    }

    private static Store connect(DovecotServer dovecot) throws MessagingException {
        Store store = session().getStore("imap");
        store.connect(dovecot.host(), dovecot.port(), "alice", "secret");
        return store;
    }

    /** A message whose received date is the internal date Angus Mail appends with. */
    private static MimeMessage dated(byte[] bytes, Instant date) throws MessagingException {
        return new MimeMessage(session(), new ByteArrayInputStream(bytes)) {
            @Override
            public Date getReceivedDate() {
                return Date.from(date);
            }
        };
    }

    @Test
    void readsAnMboxThatDovecotWrote() throws Exception {
        Path home;
        long uidValidity;
        List<Long> uids = new ArrayList<>();
        List<String> served = new ArrayList<>();
        // Dovecot writes lazily: the files are read once it has stopped and flushed everything.
        try (DovecotServer dovecot = DovecotServer.start(
                DovecotServer.Options.defaults().withMailLocation(LOCATION).withNamespace("", '/'))) {
            home = dovecot.addUser("alice", "secret");
            Store store = connect(dovecot);
            try {
                store.getFolder("Archive/2023").create(Folder.HOLDS_MESSAGES);
                IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
                inbox.open(Folder.READ_WRITE);
                Message[] toAppend = new Message[MESSAGES.size()];
                for (int i = 0; i < MESSAGES.size(); i++) {
                    toAppend[i] = dated(MESSAGES.get(i), DATES.get(i));
                }
                toAppend[0].setFlag(Flag.SEEN, true);
                toAppend[1].setFlags(new jakarta.mail.Flags("Work"), true);
                for (AppendUID a : inbox.appendUIDMessages(toAppend)) {
                    uids.add(a.uid);
                }
                uidValidity = inbox.getUIDValidity();
                // Flags changed after the append, as a user's client would.
                inbox.getMessageByUID(uids.get(1)).setFlag(Flag.FLAGGED, true);
                inbox.getMessageByUID(uids.get(2)).setFlags(new jakarta.mail.Flags("$Forwarded"), true);
                inbox.getMessageByUID(uids.get(2)).setFlag(Flag.ANSWERED, true);
                inbox.getMessageByUID(uids.get(3)).setFlag(Flag.DRAFT, true);
                for (long uid : uids) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    inbox.getMessageByUID(uid).writeTo(bytes);
                    served.add(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1));
                }
                inbox.close(false);
                IMAPFolder archive = (IMAPFolder) store.getFolder("Archive/2023");
                archive.open(Folder.READ_WRITE);
                archive.appendUIDMessages(new Message[] {dated(MESSAGES.get(0), DATES.get(0))});
                archive.close(false);
            } finally {
                store.close();
            }
        }
        {
            try (MboxStore mbox = MboxStore.builder().root(home.resolve("mail")).build()) {
                assertThat(mbox.listFolders())
                        .extracting(org.mailsync.FolderInfo::path)
                        .contains(FolderPath.INBOX, FolderPath.of("Archive", "2023"));
                try (MailFolder inbox = mbox.openFolder(FolderPath.INBOX)) {
                    List<MessageInfo> infos = new ArrayList<>();
                    inbox.list(MessageQuery.all(), infos::addAll);
                    assertThat(infos).extracting(m -> m.uid().value()).isEqualTo(uids);
                    assertThat(inbox.status().generation().value()).isEqualTo(uidValidity);
                    assertThat(infos).extracting(MessageInfo::internalDate).isEqualTo(DATES);
                    assertThat(infos)
                            .extracting(MessageInfo::flags)
                            .containsExactly(
                                    Flags.of(org.mailsync.Flag.SEEN),
                                    Flags.of(Set.of(org.mailsync.Flag.FLAGGED), Set.of("Work")),
                                    Flags.of(Set.of(org.mailsync.Flag.ANSWERED), Set.of("$Forwarded")),
                                    Flags.of(org.mailsync.Flag.DRAFT));
                    for (int i = 0; i < MESSAGES.size(); i++) {
                        try (RawMessage raw = inbox.read(infos.get(i).uid()).orElseThrow()) {
                            // The oracle is what Dovecot itself serves from its file. That is
                            // the appended bytes, except that Dovecot 2.3 stores a message with an
                            // empty body with one more line end (and serves it so).
                            assertThat(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1))
                                    .as("message %s", i)
                                    .isEqualTo(served.get(i));
                        }
                    }
                    assertThat(served.subList(0, 3))
                            .containsExactly(
                                    new String(MESSAGES.get(0), StandardCharsets.ISO_8859_1),
                                    new String(MESSAGES.get(1), StandardCharsets.ISO_8859_1),
                                    new String(MESSAGES.get(2), StandardCharsets.ISO_8859_1));
                    assertThat(served.get(3))
                            .isEqualTo(new String(MESSAGES.get(3), StandardCharsets.ISO_8859_1) + "\r\n");
                    assertThat(mbox.scanReport(FolderPath.INBOX).problems()).isEmpty();
                }
                try (MailFolder archive = mbox.openFolder(FolderPath.of("Archive", "2023"))) {
                    assertThat(archive.status().messageCount()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void dovecotServesAnMboxThatThisStoreWrote() throws Exception {
        try (DovecotServer dovecot = DovecotServer.start(
                DovecotServer.Options.defaults().withMailLocation(LOCATION).withNamespace("", '/'))) {
            Path home = dovecot.addUser("alice", "secret");
            List<Flags> flags = List.of(
                    Flags.of(Set.of(org.mailsync.Flag.SEEN, org.mailsync.Flag.FLAGGED), Set.of("$Junk")),
                    Flags.of(Set.of(org.mailsync.Flag.FLAGGED, org.mailsync.Flag.ANSWERED), Set.of("Work")),
                    Flags.of(Set.of(), Set.of("$Forwarded", "$label1")),
                    Flags.of(org.mailsync.Flag.DRAFT, org.mailsync.Flag.SEEN));
            List<MessageUid> ids = new ArrayList<>();
            // Dovecot frames by Content-Length and does not unescape >From lines: write its variant;
            // and it knows plain directories, not Thunderbird's .sbd ones (a new tree's default).
            try (MboxStore mbox = MboxStore.builder()
                    .root(home.resolve("mail"))
                    .layout(MboxLayout.PLAIN_DIRECTORIES)
                    .format(MboxFormat.MBOXCL2)
                    .build()) {
                mbox.createFolder(FolderPath.of("Archive", "2023"));
                try (MailFolder inbox = mbox.openFolder(FolderPath.INBOX)) {
                    for (int i = 0; i < MESSAGES.size(); i++) {
                        try (RawMessage raw = RawMessage.of(MESSAGES.get(i))) {
                            Flags atAppend = i == 0 ? Flags.of(org.mailsync.Flag.SEEN) : flags.get(i);
                            ids.add(inbox.append(new AppendRequest(raw, atAppend, DATES.get(i)))
                                    .orElseThrow());
                        }
                    }
                    // Changed after the append, in place, with a keyword X-IMAPbase did not list yet.
                    inbox.storeFlags(List.of(ids.get(0)), org.mailsync.spi.FlagsUpdateMode.REPLACE, flags.get(0));
                }
                try (MailFolder archive = mbox.openFolder(FolderPath.of("Archive", "2023"));
                        RawMessage raw = RawMessage.of(MESSAGES.get(1))) {
                    archive.append(new AppendRequest(raw, Flags.NONE, DATES.get(1)));
                }
            }
            dovecot.chownIfRoot(home);

            Store store = connect(dovecot);
            try {
                IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] messages = inbox.getMessages();
                assertThat(messages).hasSize(MESSAGES.size());
                for (int i = 0; i < messages.length; i++) {
                    Message m = messages[i];
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    m.writeTo(bytes);
                    assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1))
                            .as("message %s", i)
                            .isEqualTo(new String(MESSAGES.get(i), StandardCharsets.ISO_8859_1));
                    assertThat(m.getReceivedDate().toInstant()).isEqualTo(DATES.get(i));
                    assertThat(toFlags(m.getFlags()))
                            .as("flags of message %s", i)
                            .isEqualTo(flags.get(i));
                    assertThat(inbox.getUID(m)).isEqualTo(ids.get(i).value());
                }
                inbox.close(false);
                IMAPFolder archive = (IMAPFolder) store.getFolder("Archive/2023");
                archive.open(Folder.READ_ONLY);
                assertThat(archive.getMessageCount()).isEqualTo(1);
                archive.close(false);
            } finally {
                store.close();
            }
        }
    }

    /**
     * Issue 13.7: a tree written with the default settings (Dovecot-style status headers) used
     * mboxrd quoting, which Dovecot does not undo: each {@code >From} line came back one byte
     * longer. The default now writes what Dovecot reads (Content-Length, nothing quoted).
     */
    @Test
    void dovecotServesFromAndQuotedFromLinesWrittenWithTheDefaultSettingsUnchanged() throws Exception {
        List<byte[]> messages = List.of(
                ("From: a@example.org\r\nSubject: quoting\r\n\r\nFrom the top\r\n>From quoted\r\n"
                                + ">>From twice\r\n\r\nFrom me Thu Feb 29 13:14:15 2024\r\n>From\r\nend\r\n")
                        .getBytes(StandardCharsets.US_ASCII),
                ("Subject: last line\r\n\r\n>From the last line, no line end").getBytes(StandardCharsets.US_ASCII),
                TestMessages.simple("plain", "hello"));
        List<Flags> flags = List.of(
                Flags.of(Set.of(org.mailsync.Flag.SEEN), Set.of("Work")),
                Flags.of(org.mailsync.Flag.ANSWERED, org.mailsync.Flag.FLAGGED),
                Flags.NONE);
        try (DovecotServer dovecot = DovecotServer.start(
                DovecotServer.Options.defaults().withMailLocation(LOCATION).withNamespace("", '/'))) {
            Path home = dovecot.addUser("alice", "secret");
            try (MboxStore mbox = MboxStore.builder().root(home.resolve("mail")).build();
                    MailFolder inbox = mbox.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < messages.size(); i++) {
                    try (RawMessage raw = RawMessage.of(messages.get(i))) {
                        inbox.append(new AppendRequest(raw, flags.get(i), DATES.get(i)));
                    }
                }
            }
            dovecot.chownIfRoot(home);
            Store store = connect(dovecot);
            try {
                IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] served = inbox.getMessages();
                assertThat(served).hasSize(messages.size());
                for (int i = 0; i < served.length; i++) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    served[i].writeTo(bytes);
                    assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1))
                            .as("message %s as Dovecot serves it", i)
                            .isEqualTo(new String(messages.get(i), StandardCharsets.ISO_8859_1));
                    assertThat(toFlags(served[i].getFlags())).isEqualTo(flags.get(i));
                }
                inbox.close(false);
            } finally {
                store.close();
            }
        }
    }

    private static Flags toFlags(jakarta.mail.Flags flags) {
        Set<org.mailsync.Flag> system = new TreeSet<>();
        for (Flag f : flags.getSystemFlags()) {
            if (f == Flag.SEEN) {
                system.add(org.mailsync.Flag.SEEN);
            } else if (f == Flag.ANSWERED) {
                system.add(org.mailsync.Flag.ANSWERED);
            } else if (f == Flag.FLAGGED) {
                system.add(org.mailsync.Flag.FLAGGED);
            } else if (f == Flag.DELETED) {
                system.add(org.mailsync.Flag.DELETED);
            } else if (f == Flag.DRAFT) {
                system.add(org.mailsync.Flag.DRAFT);
            }
        }
        return Flags.of(system, Set.of(flags.getUserFlags()));
    }
}
