package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageOrder;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * What a full copy costs the servers in commands, counted by a proxy in front of two real
 * Dovecots (issue 15): per batch the source gets one FETCH of the bodies (the sizes came with the
 * listing), the target one APPEND and one STATUS (the check of the APPENDUID answer), and no NOOP:
 * on a server whose STATUS is fresh, a NOOP per batch only made it bring the session's view of the
 * mailbox up to date with every other connection's appends, which with several connections on one
 * folder cost Dovecot more than the APPEND.
 */
class CommandsPerBatchTest {
    private static final int MESSAGES = 250; // three batches of at most 100

    private static DovecotServer source;
    private static DovecotServer target;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        source = DovecotServer.start(DovecotServer.Options.defaults());
        target = DovecotServer.start(DovecotServer.Options.defaults());
        Thread.sleep(1100); // Dovecot rereads its users file when its mtime (in seconds) changes
        source.addUser("anna", "pw-anna");
        target.addUser("anna", "pw-anna");
    }

    @AfterAll
    static void stop() throws Exception {
        source.close();
        target.close();
    }

    private static ImapStore store(int port) throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(port)
                .security(Security.NONE)
                .username("anna")
                .password("pw-anna".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect();
    }

    @Test
    void aBatchCostsTheSourceOneFetchAndTheTargetAnAppendAndAStatus() throws Exception {
        try (ImapStore filler = store(source.port());
                MailFolder inbox = filler.openFolder(FolderPath.INBOX)) {
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                byte[] bytes = TestMessages.simple("Nachricht " + i, "Text " + i + "\r\n");
                batch.add(new AppendRequest(
                        RawMessage.of(bytes),
                        Flags.of(Flag.SEEN),
                        Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i)));
            }
            inbox.appendAll(batch);
        }
        try (RecordingProxy from = new RecordingProxy("127.0.0.1", source.port());
                RecordingProxy to = new RecordingProxy("127.0.0.1", target.port());
                ImapStore sourceStore = store(from.port());
                ImapStore targetStore = store(to.port())) {
            SyncReport report = SyncEngine.builder()
                    .source(sourceStore)
                    .target(targetStore)
                    .checkpointDirectory(tmp.resolve("cp"))
                    .messageOrder(MessageOrder.SOURCE) // one connection per side: commands in order
                    .batchSize(100)
                    .build()
                    .run();
            assertThat(report.copied()).isEqualTo(MESSAGES);
            assertThat(targetStore.status(FolderPath.INBOX).messageCount()).isEqualTo(MESSAGES);

            List<String> read = from.commands();
            assertThat(read).filteredOn(c -> c.contains("BODY.PEEK[]")).hasSize(3);
            assertThat(read)
                    .as("no FETCH of sizes the listing gave")
                    .filteredOn(c -> c.startsWith("UID FETCH") && c.endsWith("(UID RFC822.SIZE)"))
                    .isEmpty();

            List<String> written = to.commands();
            int first = -1;
            int last = -1;
            for (int i = 0; i < written.size(); i++) {
                if (written.get(i).startsWith("APPEND")) {
                    first = first < 0 ? i : first;
                    last = i;
                }
            }
            // The copy: from the first APPEND to the STATUS that checks the last one's APPENDUID.
            List<String> copy = written.subList(first, last + 2);
            assertThat(copy)
                    .as("each batch: APPEND, then STATUS; no NOOP, Dovecot's STATUS being fresh")
                    .containsExactly(
                            copy.get(0), "STATUS INBOX (UIDNEXT UIDVALIDITY)",
                            copy.get(2), "STATUS INBOX (UIDNEXT UIDVALIDITY)",
                            copy.get(4), "STATUS INBOX (UIDNEXT UIDVALIDITY)");
            assertThat(copy).filteredOn(c -> c.startsWith("APPEND INBOX")).hasSize(3);
        }
    }
}
