package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * A server that gives fewer connections than the store's {@code maxConnections} (Dovecot with
 * {@code mail_max_userip_connections = 3}): extra openings come back empty and the pool shrinks,
 * and a full copy of a large folder (which asks for several connections per folder) completes,
 * with fewer connections, not an error.
 */
class DovecotConnectionLimitTest {
    private static DovecotServer source;
    private static DovecotServer limited;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        source = DovecotServer.start(DovecotServer.Options.defaults());
        limited = DovecotServer.start(
                DovecotServer.Options.defaults().withExtraConfig("mail_max_userip_connections = 3"));
        Thread.sleep(1100);
        for (String user : List.of("anna", "bert")) {
            source.addUser(user, "pw-" + user);
            limited.addUser(user, "pw-" + user);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        source.close();
        limited.close();
    }

    private static ImapStore store(DovecotServer server, String user) throws Exception {
        return ImapStore.builder()
                .host(server.host())
                .port(server.port())
                .security(Security.NONE)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connectionWait(Duration.ofSeconds(20))
                .maxConnections(8)
                .connect();
    }

    @Test
    void extraOpeningsBeyondTheServersLimitAreEmptyNotErrors() throws Exception {
        try (ImapStore store = store(limited, "anna")) {
            List<MailFolder> open = new ArrayList<>();
            try {
                open.add(store.openFolder(FolderPath.INBOX));
                for (int i = 0; i < 6; i++) {
                    Optional<MailFolder> extra = store.tryOpenFolder(FolderPath.INBOX);
                    extra.ifPresent(open::add);
                }
                assertThat(open)
                        .as("folders open on a server that allows 3 connections")
                        .hasSizeBetween(2, 3);
                // A store-level command still gets a connection: it waits for one of ours.
                MailFolder last = open.remove(open.size() - 1);
                last.close();
                assertThat(store.status(FolderPath.INBOX).messageCount()).isZero();
            } finally {
                for (MailFolder f : open) {
                    f.close();
                }
            }
        }
    }

    @Test
    void aLargeFolderIsCopiedCompletelyOverTheConnectionsTheServerGives() throws Exception {
        try (ImapStore from = store(source, "bert");
                ImapStore to = store(limited, "bert")) {
            try (MailFolder inbox = from.openFolder(FolderPath.INBOX)) {
                for (int start = 0; start < 1200; start += 100) {
                    List<RawMessage> raws = new ArrayList<>();
                    List<AppendRequest> batch = new ArrayList<>();
                    for (int i = start; i < start + 100; i++) {
                        RawMessage raw = RawMessage.of(TestMessages.simple("bulk " + i, "body " + i));
                        raws.add(raw);
                        batch.add(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-01-01T00:00:00Z")));
                    }
                    inbox.appendAll(batch);
                    raws.forEach(RawMessage::close);
                }
            }
            SyncReport report = SyncEngine.builder()
                    .source(from)
                    .target(to)
                    .checkpointDirectory(tmp.resolve("cp"))
                    .connectionsPerFolder(8)
                    // Small batches: the copy lasts long enough for the slices to ask for more
                    // connections than the server gives.
                    .batchSize(20)
                    .build()
                    .run();
            assertThat(report.verdict()).as(report.toText()).isEqualTo(SyncReport.Verdict.COMPLETE);
            assertThat(report.copied()).isEqualTo(1200);
            assertSameMessages(from, FolderPath.INBOX, to, FolderPath.INBOX);
            assertThat(to.pool().refusals())
                    .as("the target refused connections beyond its limit")
                    .isPositive();
        }
    }
}
