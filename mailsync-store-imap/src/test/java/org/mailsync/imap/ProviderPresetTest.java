package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailsync.AuthenticationException;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.SkippedItem;
import org.mailsync.SpecialUse;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * The Gmail and Microsoft 365 presets (issue 17.3) against a scripted server that answers as the
 * providers document: no real Gmail or Microsoft 365 account is reachable from here. Gmail's LIST
 * is its documented one (SPECIAL-USE attributes, {@code [Gmail]/} folders, X-GM-EXT-1 announced);
 * the throttling answers are the texts the providers send.
 */
class ProviderPresetTest {
    private static final String GMAIL_CAPABILITIES =
            "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE"
                    + " MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584";

    /** Gmail's LIST for an English account, as Google documents it. */
    private static final String[] GMAIL_LIST = {
        "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
        "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"",
        "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"",
        "* LIST (\\Drafts \\HasNoChildren) \"/\" \"[Gmail]/Drafts\"",
        "* LIST (\\HasNoChildren \\Important) \"/\" \"[Gmail]/Important\"",
        "* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"",
        "* LIST (\\HasNoChildren \\Junk) \"/\" \"[Gmail]/Spam\"",
        "* LIST (\\Flagged \\HasNoChildren) \"/\" \"[Gmail]/Starred\"",
        "* LIST (\\HasNoChildren \\Trash) \"/\" \"[Gmail]/Trash\"",
        "* LIST (\\HasNoChildren) \"/\" \"Work\"",
        "* LIST (\\HasNoChildren) \"/\" \"Work/Projects\"",
    };

    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    /** A plain-text store of anna on this server, with the preset and the store's own back-off. */
    private ImapStore.Builder builder(HostileImapServer server, ProviderPreset preset) {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Security.NONE)
                .username("anna")
                .readTimeout(Duration.ofSeconds(20))
                .sleeper(waits::add)
                .preset(preset);
    }

    private static Map<FolderPath, SpecialUse> uses(List<FolderInfo> folders) {
        return folders.stream()
                .filter(f -> f.specialUse() != null)
                .collect(Collectors.toMap(FolderInfo::path, FolderInfo::specialUse));
    }

    // ---- Gmail: folders

    @Test
    void gmailLeavesOutAllMailImportantAndStarredAndNamesEachWithTheReason() throws Exception {
        try (HostileImapServer server =
                        new HostileImapServer().capabilities(GMAIL_CAPABILITIES).list(GMAIL_LIST);
                ImapStore gmail = builder(server, ProviderPreset.GMAIL)
                        .password("pw".toCharArray())
                        .connect();
                ImapStore plain =
                        server.storeBuilder().password("pw".toCharArray()).connect()) {
            List<FolderPath> listed =
                    gmail.listFolders().stream().map(FolderInfo::path).toList();
            assertThat(listed)
                    .containsExactlyInAnyOrder(
                            FolderPath.INBOX,
                            FolderPath.of("[Gmail]"),
                            FolderPath.of("[Gmail]", "Drafts"),
                            FolderPath.of("[Gmail]", "Sent Mail"),
                            FolderPath.of("[Gmail]", "Spam"),
                            FolderPath.of("[Gmail]", "Trash"),
                            FolderPath.of("Work"),
                            FolderPath.of("Work", "Projects"));
            assertThat(gmail.skipped())
                    .extracting(SkippedItem::location)
                    .containsExactly(
                            "folder \"[Gmail]/All Mail\"",
                            "folder \"[Gmail]/Important\"",
                            "folder \"[Gmail]/Starred\"");
            assertThat(gmail.skipped()).allMatch(s -> s.reason().startsWith("left out by the gmail preset"));
            assertThat(gmail.skipped().get(0).reason()).contains("\\All").contains("archived without any label");
            // Without the preset every folder is listed: the preset is what leaves them out.
            assertThat(plain.listFolders()).extracting(FolderInfo::path).contains(FolderPath.of("[Gmail]", "All Mail"));
            assertThat(plain.skipped()).isEmpty();
        }
    }

    @Test
    void gmailsSpecialFoldersMapOntoTheTargetsSentDraftsTrashAndJunk() throws Exception {
        try (HostileImapServer server =
                        new HostileImapServer().capabilities(GMAIL_CAPABILITIES).list(GMAIL_LIST);
                ImapStore gmail = builder(server, ProviderPreset.GMAIL)
                        .password("pw".toCharArray())
                        .connect();
                InMemoryStore target = InMemoryStore.create("memory:new")) {
            target.createFolder(FolderPath.of("Gesendet"), SpecialUse.SENT);
            FolderMapping.Plan plan = FolderMapping.defaults().plan(gmail.listFolders(), target.listFolders());
            assertThat(plan.targets())
                    .containsEntry(FolderPath.of("[Gmail]", "Sent Mail"), FolderPath.of("Gesendet"))
                    .containsEntry(FolderPath.of("[Gmail]", "Drafts"), FolderPath.of("Drafts"))
                    .containsEntry(FolderPath.of("[Gmail]", "Trash"), FolderPath.of("Trash"))
                    .containsEntry(FolderPath.of("[Gmail]", "Spam"), FolderPath.of("Junk"))
                    .containsEntry(FolderPath.of("Work", "Projects"), FolderPath.of("Work", "Projects"));
            assertThat(plan.targets().values()).doesNotContain(FolderPath.of("All Mail"), FolderPath.of("Flagged"));
        }
    }

    @Test
    void aGmailPassCopiesNoVirtualFolderAndItsReportSaysWhichWereLeftOutAndWhy() throws Exception {
        try (HostileImapServer server =
                        new HostileImapServer().capabilities(GMAIL_CAPABILITIES).list(GMAIL_LIST);
                ImapStore gmail = builder(server, ProviderPreset.GMAIL)
                        .password("pw".toCharArray())
                        .connect();
                InMemoryStore target = InMemoryStore.create("memory:new")) {
            SyncReport report = SyncEngine.builder()
                    .source(gmail)
                    .target(target)
                    .checkpointDirectory(java.nio.file.Files.createTempDirectory("presets"))
                    .build()
                    .run();
            assertThat(report.skipped())
                    .extracting(SkippedItem::location)
                    .containsExactly(
                            "folder \"[Gmail]/All Mail\"",
                            "folder \"[Gmail]/Important\"",
                            "folder \"[Gmail]/Starred\"");
            // Left out, and said so: never a silent COMPLETE (archived mail may be in All Mail only).
            assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS);
            assertThat(target.listFolders())
                    .extracting(FolderInfo::path)
                    .contains(FolderPath.of("Sent"), FolderPath.of("Junk"), FolderPath.of("Work", "Projects"))
                    .doesNotContain(
                            FolderPath.of("All Mail"), FolderPath.of("Flagged"), FolderPath.of("[Gmail]", "Important"));
        }
    }

    @Test
    void gmailsLocalizedNamesAreKnownWhereTheServerSendsNoSpecialUseAttributes() throws Exception {
        // A German account ("Google Mail") listed without SPECIAL-USE attributes (an old XLIST-era
        // answer): names decide. Entwürfe and Gelöschte are modified UTF-7 on the wire.
        try (HostileImapServer server = new HostileImapServer()
                        .capabilities("IMAP4rev1 NAMESPACE UIDPLUS X-GM-EXT-1")
                        .list(
                                "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
                                "* LIST (\\HasChildren \\Noselect) \"/\" \"[Google Mail]\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Alle Nachrichten\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Wichtig\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Markiert\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Gesendet\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Entw&APw-rfe\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Papierkorb\"",
                                "* LIST (\\HasNoChildren) \"/\" \"[Google Mail]/Spam\"",
                                "* LIST (\\HasNoChildren) \"/\" \"Wichtig\"");
                ImapStore gmail = builder(server, ProviderPreset.GMAIL)
                        .password("pw".toCharArray())
                        .connect()) {
            List<FolderInfo> folders = gmail.listFolders();
            assertThat(uses(folders))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            FolderPath.of("[Google Mail]", "Gesendet"), SpecialUse.SENT,
                            FolderPath.of("[Google Mail]", "Entwürfe"), SpecialUse.DRAFTS,
                            FolderPath.of("[Google Mail]", "Papierkorb"), SpecialUse.TRASH,
                            FolderPath.of("[Google Mail]", "Spam"), SpecialUse.JUNK));
            assertThat(gmail.skipped())
                    .extracting(SkippedItem::location)
                    .containsExactly(
                            "folder \"[Google Mail]/Alle Nachrichten\"",
                            "folder \"[Google Mail]/Markiert\"",
                            "folder \"[Google Mail]/Wichtig\"");
            assertThat(gmail.skipped()).allMatch(s -> s.reason().contains("by its name"));
            // A label of the user's that happens to be called "Wichtig" is a real folder.
            assertThat(folders).extracting(FolderInfo::path).contains(FolderPath.of("Wichtig"));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "All Mail",
                "Alle Nachrichten",
                "Tous les messages",
                "Todos",
                "Tutti i messaggi",
                "Alle berichten",
                "Todos os e-mails",
                "Important",
                "Wichtig",
                "Importantes",
                "Importanti",
                "Belangrijk",
                "Importante",
                "Starred",
                "Markiert",
                "Suivis",
                "Destacados",
                "Speciali",
                "Met ster",
                "Com estrela"
            })
    void gmailsVirtualFoldersAreKnownInSevenLanguages(String name) {
        assertThat(ProviderPreset.GMAIL.leftOut("[Gmail]/" + name, List.of("\\HasNoChildren"), '/'))
                .isPresent();
        assertThat(ProviderPreset.GMAIL.leftOut("[Google Mail]/" + name, List.of(), '/'))
                .isPresent();
        assertThat(ProviderPreset.GMAIL.leftOut(name, List.of(), '/')).isEmpty();
        assertThat(ProviderPreset.OFFICE365.leftOut("[Gmail]/" + name, List.of(), '/'))
                .isEmpty();
    }

    // ---- Microsoft 365: folders, size, login

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Sent Items=SENT",
                "Gesendete Elemente=SENT",
                "Éléments envoyés=SENT",
                "Elementos enviados=SENT",
                "Posta inviata=SENT",
                "Verzonden items=SENT",
                "Itens Enviados=SENT",
                "Deleted Items=TRASH",
                "Gelöschte Elemente=TRASH",
                "Éléments supprimés=TRASH",
                "Elementos eliminados=TRASH",
                "Posta eliminata=TRASH",
                "Verwijderde items=TRASH",
                "Itens Excluídos=TRASH",
                "Itens eliminados=TRASH",
                "Junk Email=JUNK",
                "Junk-E-Mail=JUNK",
                "Courrier indésirable=JUNK",
                "Correo no deseado=JUNK",
                "Posta indesiderata=JUNK",
                "Ongewenste e-mail=JUNK",
                "Lixo Eletrônico=JUNK",
                "Email de Lixo=JUNK",
                "Archive=ARCHIVE",
                "Archiv=ARCHIVE",
                "Archivo=ARCHIVE",
                "Archivio=ARCHIVE",
                "Archief=ARCHIVE",
                "Arquivo=ARCHIVE",
                "Drafts=DRAFTS",
                "Entwürfe=DRAFTS",
                "Brouillons=DRAFTS",
                "Borradores=DRAFTS",
                "Bozze=DRAFTS",
                "Concepten=DRAFTS",
                "Rascunhos=DRAFTS"
            })
    void microsoftsFolderNamesAreKnownInSevenLanguages(String pair) {
        String name = pair.substring(0, pair.indexOf('='));
        SpecialUse use = SpecialUse.valueOf(pair.substring(pair.indexOf('=') + 1));
        assertThat(ProviderPreset.OFFICE365.useByName(name, '/')).contains(use);
        // Decomposed (as macOS clients may send) and in another case: the same folder.
        assertThat(ProviderPreset.OFFICE365.useByName(
                        java.text.Normalizer.normalize(
                                name.toUpperCase(java.util.Locale.ROOT), java.text.Normalizer.Form.NFD),
                        '/'))
                .contains(use);
        assertThat(ProviderPreset.OFFICE365.useByName("Projects/" + name, '/')).isEmpty();
    }

    @Test
    void office365FoldersWithoutAttributesGetTheirSpecialUseAndNoneIsLeftOut() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                        .capabilities("IMAP4rev1 AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE"
                                + " NAMESPACE LITERAL+")
                        .list(
                                "* LIST (\\HasNoChildren) \"/\" INBOX",
                                "* LIST (\\HasNoChildren) \"/\" \"Gesendete Elemente\"",
                                "* LIST (\\HasNoChildren) \"/\" \"Gel&APY-schte Elemente\"",
                                "* LIST (\\HasNoChildren) \"/\" \"Junk-E-Mail\"",
                                "* LIST (\\HasNoChildren) \"/\" Archiv",
                                "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Entw&APw-rfe\"",
                                "* LIST (\\HasNoChildren) \"/\" Kunden");
                ImapStore m365 = builder(server, ProviderPreset.OFFICE365)
                        .password("pw".toCharArray())
                        .connect()) {
            assertThat(uses(m365.listFolders()))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            FolderPath.of("Gesendete Elemente"), SpecialUse.SENT,
                            FolderPath.of("Gelöschte Elemente"), SpecialUse.TRASH,
                            FolderPath.of("Junk-E-Mail"), SpecialUse.JUNK,
                            FolderPath.of("Archiv"), SpecialUse.ARCHIVE,
                            FolderPath.of("Entwürfe"), SpecialUse.DRAFTS));
            assertThat(m365.skipped()).isEmpty();
        }
    }

    @Test
    void office365sSizeLimitIsTheStoresUnlessTheServerAnnouncesALowerOne() throws Exception {
        try (HostileImapServer server = new HostileImapServer();
                ImapStore m365 = builder(server, ProviderPreset.OFFICE365)
                        .password("pw".toCharArray())
                        .connect();
                ImapStore plain =
                        server.storeBuilder().password("pw".toCharArray()).connect()) {
            assertThat(m365.capabilities().maxMessageSize()).hasValue(150L * 1024 * 1024);
            assertThat(plain.capabilities().maxMessageSize()).isEmpty();
        }
        try (HostileImapServer server =
                        new HostileImapServer().capabilities("IMAP4rev1 UIDPLUS NAMESPACE APPENDLIMIT=10485760");
                ImapStore m365 = builder(server, ProviderPreset.OFFICE365)
                        .password("pw".toCharArray())
                        .connect()) {
            assertThat(m365.capabilities().maxMessageSize()).hasValue(10485760L);
        }
    }

    @Test
    void aMessageOverOffice365sLimitIsAFailedMessageAndTheRestOfTheAccountIsCopied() throws Exception {
        // The engine refuses a message over the target's limit before sending it: the scripted
        // server announces a small APPENDLIMIT so that the test need not hold 150 MB, and the
        // preset's own limit takes the lower of the two (shown above).
        AtomicInteger appends = new AtomicInteger();
        try (HostileImapServer server = new HostileImapServer()
                        .capabilities("IMAP4rev1 UIDPLUS NAMESPACE LITERAL+ APPENDLIMIT=2000")
                        .on("APPEND", (s, c) -> {
                            appends.incrementAndGet();
                            s.send(c.tag() + " OK APPEND completed");
                            return true;
                        });
                ImapStore m365 = builder(server, ProviderPreset.OFFICE365)
                        .password("pw".toCharArray())
                        .connect();
                InMemoryStore source = InMemoryStore.create("memory:old")) {
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                for (int size : new int[] {100, 5000, 200}) {
                    byte[] bytes = ("Subject: s" + size + "\r\nMessage-ID: <" + size + "@x>\r\n\r\n" + "x".repeat(size)
                                    + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    try (RawMessage raw = RawMessage.of(bytes)) {
                        inbox.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-01-01T00:00:00Z")));
                    }
                }
            }
            SyncReport report = SyncEngine.builder()
                    .source(source)
                    .target(m365)
                    .checkpointDirectory(java.nio.file.Files.createTempDirectory("presets"))
                    .build()
                    .run();
            assertThat(appends.get()).isEqualTo(2);
            assertThat(report.folders()).singleElement().satisfies(f -> assertThat(f.failures())
                    .singleElement()
                    .asString()
                    .contains("exceeds the target's limit of 2000 bytes"));
        }
    }

    @Test
    void office365LogsInWithXoauth2EvenWhereOauthBearerIsOffered() throws Exception {
        List<String> mechanisms = new ArrayList<>();
        try (HostileImapServer server = new HostileImapServer()
                .capabilities("IMAP4rev1 SASL-IR AUTH=OAUTHBEARER AUTH=XOAUTH2 NAMESPACE")
                .on("AUTHENTICATE", (s, c) -> {
                    String[] words = c.line().split(" ");
                    mechanisms.add(words[2]);
                    String decoded = new String(Base64.getDecoder().decode(words[3]), StandardCharsets.UTF_8);
                    boolean ok = decoded.equals("user=anna\u0001auth=Bearer t0ken\u0001\u0001");
                    s.send(c.tag() + (ok ? " OK AUTHENTICATE completed." : " NO AUTHENTICATE failed."));
                    return true;
                })) {
            try (ImapStore m365 = builder(server, ProviderPreset.OFFICE365)
                    .oauth2(() -> "t0ken")
                    .connect()) {
                assertThat(m365.listFolders()).isNotEmpty();
            }
            assertThat(mechanisms).isNotEmpty().containsOnly("XOAUTH2");
            assertThat(server.commandNames()).doesNotContain("LOGIN");
        }
    }

    @Test
    void aRefusedPasswordLoginAtOffice365SaysThatItWantsOAuth2() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                .capabilities("IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 NAMESPACE")
                .on("LOGIN", (s, c) -> {
                    s.send(c.tag() + " NO LOGIN failed.");
                    return true;
                })
                .on("AUTHENTICATE", (s, c) -> {
                    s.send(c.tag() + " NO AUTHENTICATE failed.");
                    return true;
                })) {
            assertThatThrownBy(() -> builder(server, ProviderPreset.OFFICE365)
                            .password("pw".toCharArray())
                            .connect())
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("OAuth2 token")
                    .hasMessageNotContaining("pw");
        }
    }

    // ---- throttling

    private static CommandFailedException no(String text) {
        return new CommandFailedException(new Response("A7 NO " + text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[THROTTLED] Too many simultaneous connections. (Failure)",
                "[OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)",
                "Account exceeded command or bandwidth limits. (Failure)",
                "Server Unavailable. 15",
                "[UNAVAILABLE] Server Unavailable. 15",
                "[UNAVAILABLE] Temporary System Error",
                "Request is throttled. Suggested Backoff Time: 64013 milliseconds"
            })
    void providersThrottlingAnswersAreThrottling(String text) {
        assertThat(Failure.of(no(text)).kind()).isEqualTo(Failure.Kind.THROTTLED);
    }

    @Test
    void aFullMailboxIsNotThrottling() {
        assertThat(Failure.of(no("[OVERQUOTA] Quota exceeded (mailbox for user is full)"))
                        .kind())
                .isEqualTo(Failure.Kind.NO);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "NO [THROTTLED] Too many simultaneous connections. (Failure)",
                "NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)",
                "NO [UNAVAILABLE] Server Unavailable. 15",
                "NO Server Unavailable. 15"
            })
    void aThrottledCommandIsWaitedOutWithThePresetsBackoffAndThenSucceeds(String answer) throws Exception {
        AtomicInteger statuses = new AtomicInteger();
        try (HostileImapServer server = new HostileImapServer().on("STATUS", (s, c) -> {
                    if (statuses.incrementAndGet() <= 2) {
                        s.send(c.tag() + " " + answer);
                        return true;
                    }
                    return false;
                });
                ImapStore gmail = builder(server, ProviderPreset.GMAIL)
                        .password("pw".toCharArray())
                        .connect()) {
            assertThat(gmail.status(FolderPath.INBOX).messageCount()).isZero();
            assertThat(statuses.get()).isEqualTo(3);
            // Gmail's preset: 2 s, then 4 s, a fifth at most taken off at random.
            assertThat(waits).hasSize(2);
            assertThat(waits.get(0)).isBetween(Duration.ofMillis(1600), Duration.ofSeconds(2));
            assertThat(waits.get(1)).isBetween(Duration.ofMillis(3200), Duration.ofSeconds(4));
        }
    }

    @Test
    void office365sSuggestedBackoffIsWaitedWhenLongerThanThePresets() throws Exception {
        AtomicInteger statuses = new AtomicInteger();
        try (HostileImapServer server = new HostileImapServer().on("STATUS", (s, c) -> {
                    if (statuses.incrementAndGet() == 1) {
                        s.send(c.tag() + " NO Request is throttled. Suggested Backoff Time: 64013 milliseconds");
                        return true;
                    }
                    return false;
                });
                ImapStore m365 = builder(server, ProviderPreset.OFFICE365)
                        .password("pw".toCharArray())
                        .connect()) {
            m365.status(FolderPath.INBOX);
            assertThat(waits).containsExactly(Duration.ofMillis(64013));
        }
    }

    @Test
    void gmailsByeAtItsLimitsDropsTheConnectionAndTheCommandIsRetriedOnANewOne() throws Exception {
        AtomicInteger lists = new AtomicInteger();
        try (HostileImapServer server = new HostileImapServer()
                        .capabilities(GMAIL_CAPABILITIES)
                        .list(GMAIL_LIST)
                        .on("LIST", (s, c) -> {
                            if (!c.line().endsWith("\"\" \"\"") && lists.incrementAndGet() == 1) {
                                s.send("* BYE Account exceeded command or bandwidth limits. (Failure)");
                                throw new java.io.EOFException("closed by the script");
                            }
                            return false;
                        });
                ImapStore gmail = builder(server, ProviderPreset.GMAIL)
                        .password("pw".toCharArray())
                        .connect()) {
            assertThat(gmail.listFolders()).extracting(FolderInfo::path).contains(FolderPath.of("Work"));
            assertThat(lists.get()).isEqualTo(2);
            assertThat(waits).hasSize(1);
            assertThat(server.commandNames().stream()
                            .filter(n -> n.equals("LOGIN"))
                            .count())
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void presetsAreNamedAsOnTheCommandLine() {
        assertThat(ProviderPreset.byId("Gmail")).contains(ProviderPreset.GMAIL);
        assertThat(ProviderPreset.byId("office365")).contains(ProviderPreset.OFFICE365);
        assertThat(ProviderPreset.byId("yahoo")).isEmpty();
        assertThat(Set.of(ProviderPreset.values()).stream().map(ProviderPreset::id))
                .containsExactlyInAnyOrder("gmail", "office365");
    }
}
