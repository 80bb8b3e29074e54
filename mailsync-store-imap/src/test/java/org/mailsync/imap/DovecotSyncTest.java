package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * The engine over IMAP between two real Dovecots: a server with the {@code INBOX.} prefix and
 * {@code .} separator migrated to one with {@code /}, with the messages that break migrations,
 * verified byte for byte; and a migration whose connections are killed in the middle of a large
 * folder, which resumes with nothing lost or duplicated.
 */
class DovecotSyncTest {
    private static final Instant DATE = Instant.parse("2024-11-02T09:10:11Z");
    private static final AtomicInteger USERS = new AtomicInteger();
    private static DovecotServer dotServer;
    private static DovecotServer slashServer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        dotServer = startWithUsers(DovecotServer.Options.defaults().withNamespace("INBOX.", '.'));
        slashServer = startWithUsers(DovecotServer.Options.defaults().withNamespace("", '/'));
    }

    @AfterAll
    static void stop() throws Exception {
        dotServer.close();
        slashServer.close();
    }

    private static DovecotServer startWithUsers(DovecotServer.Options options) throws Exception {
        DovecotServer server = DovecotServer.start(options);
        // Dovecot rereads its passwd-file when its mtime changes: add all users in one go, later.
        Thread.sleep(1100);
        for (int i = 1; i <= 10; i++) {
            server.addUser("user" + i, "pw-user" + i);
        }
        return server;
    }

    private static ImapStore store(DovecotServer server, String user) throws Exception {
        return ImapStore.builder()
                .host(server.host())
                .port(server.port())
                .security(Security.NONE)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .maxConnections(8)
                .connect();
    }

    private static void put(MailStore store, FolderPath folder, byte[] bytes, Flags flags) throws Exception {
        if (!folder.isInbox()) {
            store.createFolder(folder);
        }
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(bytes)) {
            f.append(new AppendRequest(raw, flags, DATE));
        }
    }

    @Test
    void migratesAnInboxDotServerToASlashServerByteForByteWithTheHardCases() throws Exception {
        String user = "user" + USERS.incrementAndGet();
        FolderPath archive = FolderPath.of("Projekte", "2024");
        try (ImapStore source = store(dotServer, user);
                ImapStore target = store(slashServer, user)) {
            put(
                    source,
                    FolderPath.INBOX,
                    "From: a@example.org\r\nSubject: no id\r\n\r\nno Message-ID at all\r\n"
                            .getBytes(StandardCharsets.US_ASCII),
                    Flags.NONE);
            put(
                    source,
                    FolderPath.INBOX,
                    "Message-ID: <same@example.org>\r\nSubject: twin\r\n\r\nfirst body\r\n"
                            .getBytes(StandardCharsets.US_ASCII),
                    Flags.of(Flag.SEEN));
            put(
                    source,
                    FolderPath.INBOX,
                    "Message-ID: <same@example.org>\r\nSubject: twin\r\n\r\nsecond, other body\r\n"
                            .getBytes(StandardCharsets.US_ASCII),
                    Flags.NONE);
            put(
                    source,
                    FolderPath.INBOX,
                    TestMessages.eightBitHeaders(),
                    Flags.of(Set.of(Flag.FLAGGED), Set.of("$Forwarded", "Work")));
            put(
                    source,
                    FolderPath.INBOX,
                    TestMessages.withAttachment(20 * 1024 * 1024, 20),
                    Flags.of(Flag.SEEN, Flag.ANSWERED));
            put(source, archive, TestMessages.simple("archived", "old mail"), Flags.of(Flag.SEEN));
            put(source, FolderPath.of("Sent"), TestMessages.simple("sent", "to someone"), Flags.of(Flag.SEEN));

            SyncEngine.Builder engine =
                    SyncEngine.builder().source(source).target(target).checkpointDirectory(tmp.resolve("cp"));
            SyncReport first = engine.build().run();
            assertThat(first.verdict()).as(first.toText()).isEqualTo(SyncReport.Verdict.COMPLETE);
            assertThat(first.copied()).isEqualTo(7);
            assertSameMessages(source, FolderPath.INBOX, target, FolderPath.INBOX);
            assertSameMessages(source, archive, target, archive);
            assertSameMessages(source, FolderPath.of("Sent"), target, FolderPath.of("Sent"));
            assertThat(Files.readString(slashServer.home(user).resolve("Maildir/.Projekte.2024/dovecot-uidlist")))
                    .as("the '/' server stores Projekte/2024 as its own Maildir++ folder")
                    .isNotEmpty();

            SyncReport second = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("cp"))
                    .build()
                    .run();
            assertThat(second.copied()).isZero();
            assertThat(second.folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.UNCHANGED, "unchanged");

            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                inbox.storeFlags(
                        List.of(MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Set.of(Flag.SEEN), Set.of("Done")));
            }
            put(source, FolderPath.INBOX, TestMessages.simple("late", "arrived after the first pass"), Flags.NONE);
            SyncReport third = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("cp"))
                    .build()
                    .run();
            assertThat(third.copied()).isEqualTo(1);
            assertThat(third.flagsUpdated()).isEqualTo(1);
            assertSameMessages(source, FolderPath.INBOX, target, FolderPath.INBOX);
        }
    }

    @Test
    void connectionsKilledInTheMiddleOfALargeFolderResumeWithNothingLostOrDuplicated() throws Exception {
        String user = "user" + USERS.incrementAndGet();
        int messages = 1500;
        try (ImapStore source = store(dotServer, user);
                ImapStore target = store(slashServer, user)) {
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                for (int start = 0; start < messages; start += 100) {
                    List<RawMessage> raws = new java.util.ArrayList<>();
                    List<AppendRequest> batch = new java.util.ArrayList<>();
                    for (int i = start; i < start + 100; i++) {
                        RawMessage raw = RawMessage.of(TestMessages.simple("bulk " + i, "body of message " + i));
                        raws.add(raw);
                        batch.add(new AppendRequest(raw, i % 3 == 0 ? Flags.of(Flag.SEEN) : Flags.NONE, DATE));
                    }
                    inbox.appendAll(batch);
                    raws.forEach(RawMessage::close);
                }
            }
            AtomicInteger copied = new AtomicInteger();
            CompletableFuture<Void> killed = new CompletableFuture<>();
            // The slices of INBOX (MessageOrder.FASTEST, the default) that had settled appends
            // before the first kill: several slices of one folder in flight when it came.
            Set<String> slicesBeforeKill = java.util.concurrent.ConcurrentHashMap.newKeySet();
            SyncListener killer = new SyncListener() {
                @Override
                public void messageCopied(FolderPair pair, MessageUid uid, long bytes) {
                    int n = copied.incrementAndGet();
                    if (n <= 300) {
                        slicesBeforeKill.add(Thread.currentThread().getName());
                    }
                    if ((n == 300 || n == 800) && !killed.isDone()) {
                        try {
                            killImapProcesses(dotServer);
                            killImapProcesses(slashServer);
                            if (n == 800) {
                                killed.complete(null);
                            }
                        } catch (Exception e) {
                            killed.completeExceptionally(e);
                        }
                    }
                }
            };
            SyncReport report = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("cp"))
                    .retries(5, Duration.ofMillis(200))
                    .listener(killer)
                    .batchSize(100) // 15 batches, so that several slices have settled some by the first kill
                    .build()
                    .run();
            killed.get(1, TimeUnit.SECONDS);
            assertThat(slicesBeforeKill).as("threads of INBOX's slices").hasSizeGreaterThanOrEqualTo(2);
            if (report.verdict() != SyncReport.Verdict.COMPLETE) {
                // A folder may have given up within this pass; the next pass finishes it.
                report = SyncEngine.builder()
                        .source(source)
                        .target(target)
                        .checkpointDirectory(tmp.resolve("cp"))
                        .build()
                        .run();
            }
            assertThat(report.verdict()).as(report.toText()).isEqualTo(SyncReport.Verdict.COMPLETE);
            assertSameMessages(source, FolderPath.INBOX, target, FolderPath.INBOX);
        }
    }

    /** Kills the instance's imap processes (the connections), as a server restart or a network cut would. */
    private static void killImapProcesses(DovecotServer server) throws Exception {
        String master =
                Files.readString(server.directory().resolve("run/master.pid")).trim();
        Process p = new ProcessBuilder("pkill", "-KILL", "-P", master, "-x", "imap")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as("pkill found imap processes").isZero();
    }
}
