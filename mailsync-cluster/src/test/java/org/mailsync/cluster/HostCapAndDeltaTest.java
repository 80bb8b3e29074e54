package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.cluster.ClusterFixture.await;
import static org.mailsync.cluster.ClusterFixture.rows;

import com.icegreen.greenmail.util.GreenMail;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.jdbc.SecretKeys;
import org.mailsync.jdbc.SecretOpener;
import org.mailsync.jdbc.SecretSealer;
import org.mailsync.jdbc.testing.PostgresServer;

/**
 * Two workers with six threads between them never run more passes on one legacy host than its
 * cluster-wide cap allows (passes that find it full wait in the queue, their threads free); and a
 * completed account gets delta passes that bring over mail that arrived since.
 */
class HostCapAndDeltaTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theHostCapHoldsOverAllWorkersAndDeltaPassesBringNewMail() throws Exception {
        GreenMail source = ClusterFixture.greenMail();
        GreenMail target = ClusterFixture.greenMail();
        List<ClusterWorker> workers = new ArrayList<>();
        try (PostgresServer pg = PostgresServer.start()) {
            DataSource db = pg.dataSource();
            ClusterSchema.apply(db);
            Path key = tmp.resolve("worker.key");
            SecretSealer sealer = SecretSealer.to(SecretKeys.generate(key));
            String sourceUri = "imap://127.0.0.1:" + source.getImap().getPort();
            String targetUri = "imap://127.0.0.1:" + target.getImap().getPort();
            List<NewAccount> accounts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String user = "slow" + i;
                ClusterFixture.fillGreenMail(source, user, "pw-" + user, 4);
                target.setUser("t-" + user + "@example.org", "t-" + user, ClusterFixture.TARGET_PASSWORD);
                accounts.add(new NewAccount(
                        user,
                        new Mailbox(sourceUri, user),
                        ("pw-" + user).toCharArray(),
                        new Mailbox(targetUri, "t-" + user),
                        ClusterFixture.TARGET_PASSWORD.toCharArray(),
                        new PassOptions(2, 5, 1)));
            }
            for (String name : List.of("w-1", "w-2")) {
                ClusterWorker w = ClusterWorker.builder()
                        .database(pg.newPool(10).dataSource())
                        .secrets(SecretOpener.fromKeyFile(key))
                        .name(name)
                        .threads(3)
                        .opener(new SlowSourceOpener(ImapMailboxOpener.DEFAULT, 250))
                        .hostFullWait(Duration.ofMillis(300))
                        .delta(Duration.ofSeconds(1), Duration.ofSeconds(2))
                        .build();
                w.start();
                workers.add(w);
            }
            // Cap 4 on the source host, two connections per pass: at most 2 passes at once.
            new ClusterQueue(db).enqueue(accounts, JobKind.BULK, 4, sealer);

            AtomicInteger most = new AtomicInteger();
            Set<String> workersSeen = new HashSet<>();
            AtomicBoolean waited = new AtomicBoolean();
            await(
                    Duration.ofSeconds(90),
                    "8 accounts DONE",
                    () -> {
                        var running = rows(db, "SELECT worker FROM cluster_accounts WHERE state = 'RUNNING'");
                        most.accumulateAndGet(running.size(), Math::max);
                        running.forEach(r -> workersSeen.add((String) r.get("worker")));
                        if (!rows(
                                        db,
                                        "SELECT 1 FROM cluster_accounts WHERE reason LIKE 'waiting for a free connection%'")
                                .isEmpty()) {
                            waited.set(true);
                        }
                        var held = rows(
                                db,
                                "SELECT count(*) AS n FROM cluster_host_slots WHERE holder IS NOT NULL AND expires_at > now()");
                        assertThat(((Number) held.get(0).get("n")).intValue()).isLessThanOrEqualTo(4);
                        // Not "all DONE at once": the delta task re-queues completed accounts every 2 s here.
                        return ((Number) rows(db, "SELECT count(*) AS n FROM cluster_accounts WHERE passes >= 1")
                                                .get(0)
                                                .get("n"))
                                        .intValue()
                                == 8;
                    },
                    () -> ClusterFixture.dump(db));
            assertThat(most.get()).as("passes at once").isLessThanOrEqualTo(2).isEqualTo(2);
            assertThat(waited).as("a pass waited for a free connection").isTrue();
            assertThat(workersSeen).as("both workers ran passes").hasSize(2);

            // New mail after the first pass: the delta task re-queues the account and copies it.
            try (var store = org.mailsync.imap.ImapStore.builder()
                            .host("127.0.0.1")
                            .port(source.getImap().getPort())
                            .security(org.mailsync.imap.Security.NONE)
                            .username("slow0")
                            .password("pw-slow0".toCharArray())
                            .connect();
                    var inbox = store.openFolder(org.mailsync.FolderPath.INBOX);
                    var raw = org.mailsync.RawMessage.of(ClusterFixture.message("slow0", 99))) {
                inbox.append(new org.mailsync.spi.AppendRequest(
                        raw, org.mailsync.Flags.of(), java.time.Instant.parse("2026-11-03T10:00:00Z")));
            }
            await(Duration.ofSeconds(60), "a delta pass of slow0 with the new message", () -> ClusterFixture.inboxIds(
                            target, "t-slow0")
                    .contains(ClusterFixture.messageId("slow0", 99)));
            List<String> ids = ClusterFixture.inboxIds(target, "t-slow0");
            assertThat(ids).hasSize(5).doesNotHaveDuplicates();
            await(Duration.ofSeconds(30), "slow0 DONE again", () -> "DONE"
                    .equals(rows(db, "SELECT state FROM cluster_accounts WHERE account_id = 'slow0'")
                            .get(0)
                            .get("state")));
            assertThat(new ClusterQueue(db).account("slow0").orElseThrow().passes())
                    .isGreaterThanOrEqualTo(2);
        } finally {
            workers.forEach(ClusterWorker::close);
            source.stop();
            target.stop();
        }
    }
}
