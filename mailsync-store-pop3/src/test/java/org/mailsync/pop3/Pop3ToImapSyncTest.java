package org.mailsync.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.Multiset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.DeletionPolicy;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.InstrumentedStore;

/**
 * POP3 (Dovecot) to IMAP (the same Dovecot, another user) through the engine: a full pass, a
 * delta pass that copies only new mail, a run killed in the middle and run again (each message
 * once), and delete-after-copy, which deletes on the POP3 server only what the target holds.
 */
@Tag("dovecot")
class Pop3ToImapSyncTest {
    private static final AtomicInteger USERS = new AtomicInteger();
    private static DovecotServer dovecot;

    @TempDir
    Path tmp;

    private String pop3User;
    private String imapUser;

    @BeforeAll
    static void start() throws Exception {
        dovecot = Pop3Dovecot.start("ps", DovecotServer.Options.defaults());
    }

    @AfterAll
    static void stop() throws Exception {
        dovecot.close();
    }

    @BeforeEach
    void users() {
        pop3User = "ps" + USERS.incrementAndGet();
        imapUser = "ps" + USERS.incrementAndGet();
    }

    /** A message as a delivery agent leaves it: Received fields on top, the first one at the bottom. */
    private static byte[] delivered(int n) {
        return ("Received: from mx2.example.org by pop.example.org; Tue, 3 Mar 2026 10:00:0" + (n % 10) + " +0000\r\n"
                        + "Received: from sender.example by mx2.example.org; Mon, 2 Mar 2026 08:00:0" + (n % 10)
                        + " +0000\r\n"
                        + "From: Sender <sender@example.org>\r\n"
                        + "To: user@example.org\r\n"
                        + "Subject: message " + n + "\r\n"
                        + "Date: Sun, 1 Mar 2026 12:00:00 +0000\r\n"
                        + "Message-ID: <m" + n + "@example.org>\r\n"
                        + "\r\n"
                        + "Body of message " + n + ".\r\n.\r\n..dots\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private Pop3Store pop3(boolean deleteAfterCopy) throws Exception {
        return Pop3Dovecot.builder(dovecot, pop3User, tmp.resolve("pop3-state"))
                .deleteAfterCopy(deleteAfterCopy)
                .connect();
    }

    private ImapStore imap() throws Exception {
        return Pop3Dovecot.imap(dovecot, imapUser).connect();
    }

    private SyncEngine engine(MailStore source, MailStore target) throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpointDirectory(tmp.resolve("checkpoints"))
                .build();
    }

    private static Multiset<String> messages(MailStore store) throws MailStoreException {
        Multiset<String> out = HashMultiset.create();
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = new ArrayList<>();
            inbox.list(MessageQuery.all(), all::addAll);
            for (MessageInfo m : all) {
                try (RawMessage raw = inbox.read(m.uid()).orElseThrow()) {
                    out.add(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return out;
    }

    private static List<MessageInfo> listing(MailStore store) throws MailStoreException {
        List<MessageInfo> all = new ArrayList<>();
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            inbox.list(MessageQuery.all(), all::addAll);
        }
        return all;
    }

    private static Multiset<String> expected(int from, int to) {
        Multiset<String> out = HashMultiset.create();
        for (int n = from; n <= to; n++) {
            out.add(new String(delivered(n), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private void deliver(int from, int to) throws Exception {
        for (int n = from; n <= to; n++) {
            Pop3Dovecot.deliver(dovecot, pop3User, delivered(n));
        }
    }

    @Test
    void fullPassThenADeltaPassCopiesOnlyTheNewMessages() throws Exception {
        deliver(1, 5);
        SyncReport first;
        try (Pop3Store source = pop3(false);
                ImapStore target = imap()) {
            first = engine(source, target).run();
            assertThat(first.copied()).isEqualTo(5);
            assertThat(messages(target)).isEqualTo(expected(1, 5));
            // The internal date is that of the bottom-most Received: field, not Date:.
            assertThat(listing(target))
                    .extracting(MessageInfo::internalDate)
                    .contains(Instant.parse("2026-03-02T08:00:01Z"));
        }
        assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(first.notes().stream().filter(n -> n.contains("POP3 keeps no flags")))
                .hasSize(1);
        deliver(6, 7);
        try (Pop3Store source = pop3(false);
                ImapStore target = imap()) {
            SyncReport delta = engine(source, target).run();
            assertThat(delta.copied()).isEqualTo(2);
            assertThat(delta.alreadyPresent()).isZero();
            assertThat(messages(target)).isEqualTo(expected(1, 7));
            SyncReport nothing = engine(source, target).run();
            assertThat(nothing.copied()).isZero();
            assertThat(messages(target)).isEqualTo(expected(1, 7));
        }
        // The POP3 server still has everything: nothing is deleted unless asked.
        try (Pop3Store source = pop3(false)) {
            assertThat(listing(source)).hasSize(7);
        }
    }

    private Pop3Store scripted(ScriptedPop3Server server) {
        return Pop3Store.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Pop3Security.NONE)
                .username("alice")
                .password(() -> "secret-7".toCharArray())
                .stateDirectory(tmp.resolve("scripted-state"))
                .build();
    }

    @Test
    void aServerWithoutUidlIsMatchedByIdentityAtEachPassAndTheReportSaysSo() throws Exception {
        try (ScriptedPop3Server server = new ScriptedPop3Server("alice", "secret-7")) {
            server.quirk(ScriptedPop3Server.Quirk.NO_UIDL);
            for (int n = 1; n <= 3; n++) {
                server.deliver(delivered(n));
            }
            try (ImapStore target = imap()) {
                SyncReport first = engine(scripted(server), target).run();
                assertThat(first.copied()).isEqualTo(3);
                assertThat(first.notes()).anyMatch(n -> n.contains("no UIDL") && n.contains("re-match by identity"));
                server.deliver(delivered(4));
                SyncReport second = engine(scripted(server), target).run();
                assertThat(second.copied()).isEqualTo(1);
                assertThat(messages(target)).isEqualTo(expected(1, 4));
            }
        }
    }

    @Test
    void aNeverEndingAnswerFailsThePassClearlyAndTheNextPassCopiesEachMessageOnce() throws Exception {
        try (ScriptedPop3Server server = new ScriptedPop3Server("alice", "secret-7")) {
            for (int n = 1; n <= 3; n++) {
                server.deliver(delivered(n));
            }
            server.quirk(ScriptedPop3Server.Quirk.RETR_NEVER_ENDS);
            try (ImapStore target = imap()) {
                SyncReport hostile = engine(scripted(server), target).run();
                assertThat(hostile.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
                assertThat(hostile.toText()).contains("more than").contains("bytes for message");
                server.clearQuirks();
                SyncReport again = engine(scripted(server), target).run();
                assertThat(again.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
                assertThat(messages(target)).isEqualTo(expected(1, 3));
            }
        }
    }

    @Test
    void aRunKilledMidwayAndRunAgainCopiesEachMessageOnce() throws Exception {
        deliver(1, 12);
        try (Pop3Store source = pop3(false);
                ImapStore imap = imap()) {
            InstrumentedStore target = new InstrumentedStore(imap);
            AtomicInteger appends = new AtomicInteger();
            target.hook(new InstrumentedStore.Hook() {
                @Override
                public void after(String op, FolderPath folder) {
                    if (op.startsWith("append") && appends.incrementAndGet() == 1) {
                        throw new InstrumentedStore.Crash("after the first append batch");
                    }
                }
            });
            SyncEngine engine = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("checkpoints"))
                    .batchSize(5)
                    .build();
            assertThatThrownBy(engine::run).isInstanceOf(InstrumentedStore.Crash.class);
            assertThat(listing(imap)).hasSizeBetween(1, 11);
        }
        try (Pop3Store source = pop3(false);
                ImapStore target = imap()) {
            SyncReport again = engine(source, target).run();
            assertThat(again.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            assertThat(messages(target)).isEqualTo(expected(1, 12));
        }
    }

    @Test
    void deleteAfterCopyDeletesOnlyWhatTheTargetHolds() throws Exception {
        deliver(1, 4);
        try (Pop3Store source = pop3(true);
                ImapStore imap = imap()) {
            InstrumentedStore target = new InstrumentedStore(imap);
            // The target refuses message 2: it must stay on the POP3 server.
            target.hook(new InstrumentedStore.Hook() {
                @Override
                public void beforeAppend(FolderPath folder, AppendRequest request) throws MailStoreException {
                    String text = new String(request.message().toByteArray(), StandardCharsets.ISO_8859_1);
                    if (text.contains("Subject: message 2\r\n")) {
                        throw new MessageRejectedException(
                                ErrorContext.of("target", folder), "refused in a test", null);
                    }
                }
            });
            SyncEngine engine = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("checkpoints"))
                    .batchSize(1)
                    .build();
            SyncReport report = engine.run();
            assertThat(report.copied()).isEqualTo(3);
            assertThat(report.failed()).isEqualTo(1);
            // Mail that arrives after the pass is not on the target either.
            deliver(5, 5);
            Pop3Deletion deletion = source.deleteCopied(engine.configuration(), report);
            assertThat(deletion.deleted()).isEqualTo(3);
            assertThat(deletion.kept()).isEqualTo(2);
        }
        Multiset<String> left = expected(2, 2);
        left.addAll(expected(5, 5));
        try (Pop3Store source = pop3(true)) {
            assertThat(messages(source)).isEqualTo(left);
        }
        // The next pass copies what is left and then deletes it; the target has each message once.
        try (Pop3Store source = pop3(true);
                ImapStore target = imap()) {
            SyncEngine engine = engine(source, target);
            SyncReport report = engine.run();
            assertThat(report.copied()).isEqualTo(2);
            assertThat(source.deleteCopied(engine.configuration(), report).deleted())
                    .isEqualTo(2);
            assertThat(messages(target)).isEqualTo(expected(1, 5));
            assertThat(listing(source)).isEmpty();
        }
    }

    @Test
    void aCrashBetweenCopyAndDeleteDeletesOnTheNextRunAndNeverBefore() throws Exception {
        deliver(1, 3);
        try (Pop3Store source = pop3(true);
                ImapStore target = imap()) {
            engine(source, target).run();
            // Killed here: the copies are on the target, nothing was deleted.
        }
        try (Pop3Store source = pop3(true)) {
            assertThat(listing(source)).hasSize(3);
        }
        // The target's user deletes one copy before the next run: its original stays on the server.
        try (ImapStore target = imap();
                MailFolder inbox = target.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = new ArrayList<>();
            inbox.list(MessageQuery.all(), all::addAll);
            inbox.delete(List.of(all.get(0).uid()));
        }
        try (Pop3Store source = pop3(true);
                ImapStore target = imap()) {
            SyncEngine engine = engine(source, target);
            SyncReport report = engine.run();
            assertThat(report.copied()).isZero(); // the pair is kept: not copied again
            Pop3Deletion deletion = source.deleteCopied(engine.configuration(), report);
            assertThat(deletion.deleted()).isEqualTo(2);
            assertThat(deletion.kept()).isEqualTo(1);
        }
        try (Pop3Store source = pop3(true)) {
            assertThat(listing(source)).hasSize(1);
        }
    }

    /**
     * What deleteCopied relies on (RFC 1939 6): DELE only marks; a session that ends without QUIT
     * (a killed process, a dropped connection) deletes nothing.
     */
    @Test
    void messagesMarkedWithDeleButNeverQuitStayOnTheServer() throws Exception {
        deliver(1, 2);
        try (java.net.Socket s = new java.net.Socket(dovecot.host(), dovecot.pop3Port())) {
            s.setSoTimeout(10_000);
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            java.io.OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            for (String command : List.of("USER " + pop3User, "PASS pw-" + pop3User, "DELE 1", "DELE 2")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine())
                        .as(command.startsWith("PASS") ? "PASS" : command)
                        .startsWith("+OK");
            }
        } // closed without QUIT
        try (Pop3Store source = pop3(true)) {
            assertThat(listing(source)).hasSize(2);
        }
    }

    @Test
    void deleteCopiedRefusesWithoutConsentInADryRunAndWithMirrorDeletions() throws Exception {
        deliver(1, 1);
        try (Pop3Store keeping = pop3(false);
                ImapStore target = imap()) {
            SyncEngine engine = engine(keeping, target);
            SyncReport report = engine.run();
            assertThatThrownBy(() -> keeping.deleteCopied(engine.configuration(), report))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("deleteAfterCopy");
        }
        try (Pop3Store source = pop3(true);
                ImapStore target = imap()) {
            SyncEngine dry = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("dry"))
                    .dryRun(true)
                    .build();
            SyncReport report = dry.run();
            assertThat(source.deleteCopied(dry.configuration(), report).deleted())
                    .isZero();
            SyncEngine mirror = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("mirror"))
                    .deletions(DeletionPolicy.MIRROR)
                    .build();
            SyncReport mirrored = mirror.run();
            assertThatThrownBy(() -> source.deleteCopied(mirror.configuration(), mirrored))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MIRROR");
            assertThat(mirrored.folders()).extracting(FolderReport::outcome).contains(FolderReport.Outcome.SYNCED);
        }
        try (Pop3Store source = pop3(false)) {
            assertThat(listing(source)).hasSize(1);
        }
    }
}
