package org.mailsync.maildir.dovecot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.angus.mail.imap.AppendUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.maildir.MaildirLayout;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * A Maildir tree that mailsync writes is what Dovecot reads, and the other way round, in both
 * layouts: folder names, subscriptions, bytes, flags, keywords, internal dates, UIDVALIDITY and
 * UIDs, also when the two take turns on one folder that Dovecot has indexed.
 */
@Tag("dovecot")
class DovecotInteropTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret";
    private static final Instant DATE_1 = Instant.parse("2023-05-06T07:08:09Z");
    private static final Instant DATE_2 = Instant.parse("2019-12-31T23:59:58Z");
    private static final FolderPath ARCHIVE = FolderPath.of("Archive", "2023");
    private static final FolderPath DRAFTS = FolderPath.of("Entwürfe");

    private DovecotServer dovecot;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private Path start(MaildirLayout layout) throws Exception {
        String location = layout == MaildirLayout.FS ? "maildir:~/Maildir:LAYOUT=fs" : "maildir:~/Maildir";
        dovecot = DovecotServer.start(
                DovecotServer.Options.defaults().withMailLocation(location).withNamespace("", '/'));
        return dovecot.addUser(USER, PASSWORD).resolve("Maildir");
    }

    private MaildirStore mailsync(Path root, MaildirLayout layout) {
        MaildirStore store = MaildirStore.builder().root(root).layout(layout).build();
        toClose.add(store);
        return store;
    }

    private ImapClient imap() throws Exception {
        ImapClient client = new ImapClient(dovecot, USER, PASSWORD);
        toClose.add(client);
        return client;
    }

    private static String imapName(FolderPath path) {
        return path.join('/');
    }

    private static MessageUid append(MailFolder folder, byte[] bytes, Flags flags, Instant date) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            return folder.append(new AppendRequest(raw, flags, date)).orElseThrow();
        }
    }

    private static Map<MessageUid, MessageInfo> list(MailFolder folder) throws Exception {
        Map<MessageUid, MessageInfo> all = new LinkedHashMap<>();
        folder.list(MessageQuery.all(), batch -> batch.forEach(m -> all.put(m.uid(), m)));
        return all;
    }

    private static byte[] read(MailFolder folder, MessageUid uid) throws Exception {
        try (RawMessage raw = folder.read(uid).orElseThrow()) {
            return raw.toByteArray();
        }
    }

    private static Set<String> names(Flags flags) {
        return new TreeSet<>(ImapClient.names(flags));
    }

    /** What mailsync appended into a folder, by uid: bytes, flags, date. */
    private record Sent(byte[] bytes, Flags flags, Instant date) {}

    @ParameterizedTest
    @EnumSource(MaildirLayout.class)
    void dovecotServesWhatMailsyncWrote(MaildirLayout layout) throws Exception {
        Path root = start(layout);
        MaildirStore store = mailsync(root, layout);
        store.createFolder(ARCHIVE);
        store.createFolder(DRAFTS);
        store.setSubscribed(DRAFTS, true);
        store.setSubscribed(FolderPath.INBOX, true);

        Map<FolderPath, Map<MessageUid, Sent>> sent = new LinkedHashMap<>();
        Map<FolderPath, FolderStatus> statuses = new HashMap<>();
        Map<FolderPath, List<Sent>> plan = Map.of(
                FolderPath.INBOX,
                List.of(
                        new Sent(
                                TestMessages.simple("hello", "one\r\ntwo"),
                                Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded", "Work")),
                                DATE_1),
                        new Sent(TestMessages.eightBitHeaders(), Flags.NONE, DATE_2)),
                ARCHIVE,
                List.of(new Sent(
                        TestMessages.withAttachment(300_000, 3), Flags.of(Flag.FLAGGED, Flag.ANSWERED), DATE_1)),
                DRAFTS,
                List.of(new Sent(TestMessages.emptyBody(), Flags.of(Flag.DRAFT), DATE_2)));
        for (Map.Entry<FolderPath, List<Sent>> e : plan.entrySet()) {
            try (MailFolder folder = store.openFolder(e.getKey())) {
                Map<MessageUid, Sent> byUid = new LinkedHashMap<>();
                for (Sent s : e.getValue()) {
                    byUid.put(append(folder, s.bytes(), s.flags(), s.date()), s);
                }
                sent.put(e.getKey(), byUid);
                statuses.put(e.getKey(), folder.status());
            }
        }
        dovecot.chownIfRoot(root);

        ImapClient imap = imap();
        assertThat(imap.folders()).contains("INBOX", "Archive", "Archive/2023", "Entwürfe");
        assertThat(imap.subscribed()).contains("INBOX", "Entwürfe").doesNotContain("Archive/2023");
        for (Map.Entry<FolderPath, Map<MessageUid, Sent>> e : sent.entrySet()) {
            ImapClient.FolderView view = imap.view(imapName(e.getKey()));
            FolderStatus status = statuses.get(e.getKey());
            assertThat(view.uidValidity())
                    .as("UIDVALIDITY of %s", e.getKey())
                    .isEqualTo(status.generation().value());
            assertThat(view.uidNext())
                    .as("UIDNEXT of %s", e.getKey())
                    .isEqualTo(status.nextUid().value());
            assertThat(view.messages().keySet())
                    .containsExactlyElementsOf(e.getValue().keySet().stream()
                            .map(MessageUid::value)
                            .toList());
            for (Map.Entry<MessageUid, Sent> m : e.getValue().entrySet()) {
                ImapClient.Shown shown = view.messages().get(m.getKey().value());
                assertThat(shown.bytes())
                        .as("bytes of %s in %s", m.getKey(), e.getKey())
                        .isEqualTo(m.getValue().bytes());
                assertThat(shown.size()).isEqualTo(m.getValue().bytes().length);
                assertThat(shown.flags()).isEqualTo(names(m.getValue().flags()));
                assertThat(shown.internalDate()).isEqualTo(m.getValue().date());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MaildirLayout.class)
    void mailsyncReadsWhatDovecotWrote(MaildirLayout layout) throws Exception {
        Path root = start(layout);
        ImapClient imap = imap();
        imap.create("Archive/2023");
        imap.create("Entwürfe");
        imap.subscribe("Entwürfe");

        byte[] a = TestMessages.simple("from dovecot", "first line\r\nsecond line");
        byte[] b = TestMessages.eightBitHeaders();
        byte[] c = TestMessages.withAttachment(200_000, 9);
        byte[] d = TestMessages.longLine(5000);
        AppendUID ua = imap.append("INBOX", a, ImapClient.flags("\\Seen", "$Forwarded", "Work"), DATE_1);
        AppendUID ub = imap.append("INBOX", b, ImapClient.flags(), DATE_2);
        AppendUID ud = imap.append("INBOX", d, ImapClient.flags("\\Answered"), DATE_2);
        AppendUID uc = imap.append("Archive/2023", c, ImapClient.flags("\\Flagged", "$Junk"), DATE_1);
        // Dovecot's own changes after the append: a flag set, one message expunged.
        imap.store("INBOX", ub.uid, ImapClient.flags("\\Flagged", "Later"), true);
        imap.expunge("INBOX", ud.uid);

        // Dovecot stored LF line ends (mail_save_crlf=no); mailsync serves CRLF, as Dovecot's IMAP does.
        try (var files = Files.walk(root)) {
            List<Path> messages = files.filter(
                            p -> p.getParent().getFileName().toString().matches("new|cur"))
                    .toList();
            assertThat(messages).isNotEmpty().allSatisfy(p -> assertThat(Files.readAllBytes(p))
                    .doesNotContain('\r'));
        }

        MaildirStore store = mailsync(root, layout);
        List<FolderInfo> folders = store.listFolders();
        assertThat(folders).extracting(FolderInfo::path).contains(FolderPath.INBOX, ARCHIVE, DRAFTS);
        assertThat(folders)
                .filteredOn(f -> f.path().equals(DRAFTS))
                .extracting(FolderInfo::subscribed)
                .containsExactly(true);
        assertThat(folders)
                .filteredOn(f -> f.path().equals(ARCHIVE))
                .extracting(FolderInfo::subscribed)
                .containsExactly(false);

        Map<String, ImapClient.FolderView> views =
                Map.of("INBOX", imap.view("INBOX"), "Archive/2023", imap.view("Archive/2023"));
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX);
                MailFolder archive = store.openFolder(ARCHIVE)) {
            assertThat(inbox.status().generation().value()).isEqualTo(ua.uidvalidity);
            assertThat(inbox.status().nextUid().value())
                    .isEqualTo(views.get("INBOX").uidNext());
            assertThat(archive.status().generation().value()).isEqualTo(uc.uidvalidity);
            Map<MessageUid, MessageInfo> inboxInfos = list(inbox);
            assertThat(inboxInfos.keySet()).containsExactly(MessageUid.of(ua.uid), MessageUid.of(ub.uid));
            expect(
                    inbox,
                    inboxInfos.get(MessageUid.of(ua.uid)),
                    a,
                    Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded", "Work")),
                    DATE_1);
            expect(
                    inbox,
                    inboxInfos.get(MessageUid.of(ub.uid)),
                    b,
                    Flags.of(Set.of(Flag.FLAGGED), Set.of("Later")),
                    DATE_2);
            expect(
                    archive,
                    list(archive).get(MessageUid.of(uc.uid)),
                    c,
                    Flags.of(Set.of(Flag.FLAGGED), Set.of("$Junk")),
                    DATE_1);
            // And byte for byte what Dovecot itself serves over IMAP.
            for (String name : views.keySet()) {
                MailFolder folder = name.equals("INBOX") ? inbox : archive;
                for (ImapClient.Shown shown : views.get(name).messages().values()) {
                    assertThat(read(folder, MessageUid.of(shown.uid()))).isEqualTo(shown.bytes());
                    assertThat(list(folder).get(MessageUid.of(shown.uid())).size())
                            .isEqualTo(shown.size());
                }
            }
        }
    }

    private static void expect(MailFolder folder, MessageInfo info, byte[] bytes, Flags flags, Instant date)
            throws Exception {
        assertThat(read(folder, info.uid())).isEqualTo(bytes);
        assertThat(info.size()).isEqualTo(bytes.length);
        assertThat(info.flags()).isEqualTo(flags);
        assertThat(info.internalDate()).isEqualTo(date);
    }

    @ParameterizedTest
    @EnumSource(MaildirLayout.class)
    void mailsyncAndDovecotTakeTurnsOnAnIndexedFolder(MaildirLayout layout) throws Exception {
        Path root = start(layout);
        ImapClient imap = imap();
        imap.create("Archive/2023");
        AppendUID first =
                imap.append("Archive/2023", TestMessages.simple("1", "by dovecot"), ImapClient.flags(), DATE_1);
        ImapClient.FolderView before = imap.view("Archive/2023"); // Dovecot has indexed the folder now
        assertThat(Files.list(root).map(p -> p.getFileName().toString()).anyMatch(n -> n.startsWith("dovecot.")))
                .isTrue();

        MaildirStore store = mailsync(root, layout);
        byte[] second = TestMessages.simple("2", "by mailsync");
        MessageUid secondUid;
        try (MailFolder folder = store.openFolder(ARCHIVE)) {
            assertThat(list(folder).keySet()).containsExactly(MessageUid.of(first.uid));
            secondUid = append(folder, second, Flags.of(Set.of(Flag.SEEN), Set.of("Todo")), DATE_2);
            assertThat(secondUid.value()).isEqualTo(first.uid + 1);
            folder.storeFlags(List.of(MessageUid.of(first.uid)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        dovecot.chownIfRoot(root);

        ImapClient.FolderView afterMailsync = imap.view("Archive/2023");
        assertThat(afterMailsync.uidValidity()).isEqualTo(before.uidValidity());
        assertThat(afterMailsync.messages().keySet()).containsExactly(first.uid, secondUid.value());
        assertThat(afterMailsync.messages().get(secondUid.value()).bytes()).isEqualTo(second);
        assertThat(afterMailsync.messages().get(secondUid.value()).flags()).containsExactlyInAnyOrder("\\Seen", "Todo");
        assertThat(afterMailsync.messages().get(secondUid.value()).internalDate())
                .isEqualTo(DATE_2);
        assertThat(afterMailsync.messages().get(first.uid).flags()).containsExactly("\\Flagged");

        AppendUID third = imap.append(
                "Archive/2023", TestMessages.simple("3", "by dovecot again"), ImapClient.flags("\\Draft"), DATE_1);
        assertThat(third.uid).isEqualTo(secondUid.value() + 1);
        imap.store("Archive/2023", secondUid.value(), ImapClient.flags("Todo"), false);

        try (MailFolder folder = store.openFolder(ARCHIVE)) {
            Map<MessageUid, MessageInfo> infos = list(folder);
            assertThat(infos.keySet()).containsExactly(MessageUid.of(first.uid), secondUid, MessageUid.of(third.uid));
            assertThat(infos.get(secondUid).flags()).isEqualTo(Flags.of(Flag.SEEN));
            assertThat(infos.get(MessageUid.of(third.uid)).flags()).isEqualTo(Flags.of(Flag.DRAFT));
            assertThat(folder.status().generation().value()).isEqualTo(third.uidvalidity);
            folder.delete(List.of(MessageUid.of(first.uid)));
        }
        dovecot.chownIfRoot(root);
        ImapClient.FolderView last = imap.view("Archive/2023");
        assertThat(last.messages().keySet()).containsExactly(secondUid.value(), third.uid);
        assertThat(last.uidValidity()).isEqualTo(before.uidValidity());
        assertThat(dovecot.readLog()).doesNotContain("Error", "Panic");
    }

    @ParameterizedTest
    @EnumSource(MaildirLayout.class)
    void aMessageWithBareLineFeedsRoundTripsThroughMailsyncAndDovecotServesItAsCrlf(MaildirLayout layout)
            throws Exception {
        Path root = start(layout);
        MaildirStore store = mailsync(root, layout);
        byte[] mixed = "From: a@example.org\r\nSubject: mixed\r\n\r\nbare\nlf\r\n".getBytes(StandardCharsets.US_ASCII);
        MessageUid uid;
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            uid = append(inbox, mixed, Flags.NONE, DATE_1);
            assertThat(read(inbox, uid)).isEqualTo(mixed);
            assertThat(list(inbox).get(uid).size()).isEqualTo(mixed.length);
        }
        dovecot.chownIfRoot(root);
        ImapClient.Shown shown = imap().view("INBOX").messages().get(uid.value());
        byte[] crlf = "From: a@example.org\r\nSubject: mixed\r\n\r\nbare\r\nlf\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(shown.bytes()).isEqualTo(crlf);
        assertThat(shown.size()).isEqualTo(crlf.length);
        assertThat(Stream.of(dovecot.readLog())).noneMatch(log -> log.contains("Error"));
    }
}
