package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.cluster.ClusterFixture.await;
import static org.mailsync.cluster.ClusterFixture.rows;

import com.icegreen.greenmail.util.GreenMail;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.jdbc.SecretKeys;
import org.mailsync.jdbc.SecretSealer;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.testing.DovecotServer;

/**
 * Three worker JVMs on one PostgreSQL migrate 200 accounts (GreenMail and Dovecot sources, a
 * GreenMail target); one worker is killed with SIGKILL in the middle of a mailbox, another is
 * stopped with SIGSTOP past its lease and resumed. Every account ends complete with each message
 * exactly once, the killed worker's pass is taken over within the configured bound, and the
 * stopped worker's late writes are refused (recorded as events and logged by that worker).
 */
class ClusterFailoverTest {
    private static final int SLOW_MESSAGES = 16;
    private static final long SLOW_DELAY_MS = 400;
    private static final int MESSAGES = 4;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAccountCompletesExactlyOnceThroughAKillAndAStop() throws Exception {
        long t0 = System.nanoTime();
        List<Process> workers = new ArrayList<>();
        GreenMail gmSource = ClusterFixture.greenMail();
        GreenMail target = ClusterFixture.greenMail();
        try (PostgresServer pg = PostgresServer.start();
                DovecotServer dovecot = DovecotServer.start()) {
            DataSource db = pg.dataSource();
            ClusterSchema.apply(db);
            Path keyFile = tmp.resolve("worker.key");
            SecretSealer sealer = SecretSealer.to(SecretKeys.generate(keyFile));
            String gmUri = "imap://127.0.0.1:" + gmSource.getImap().getPort();
            String dvUri = "imap://127.0.0.1:" + dovecot.port();
            String targetUri = "imap://127.0.0.1:" + target.getImap().getPort();

            // 200 accounts: 6 slow ones (their sources are read slowly) first, as logins, so that
            // every worker has one when it is killed or stopped; then 194 small ones in bulk.
            Map<String, List<String>> expected = new LinkedHashMap<>();
            List<NewAccount> slow = new ArrayList<>();
            List<NewAccount> bulk = new ArrayList<>();
            PassOptions slowOptions = PassOptions.DEFAULTS.withBatch(1);
            for (int i = 0; i < 100; i++) {
                boolean isSlow = i < 3;
                String user = (isSlow ? "slowg" : "gm") + i;
                String pw = "pw-" + user;
                expected.put(user, ClusterFixture.fillGreenMail(gmSource, user, pw, isSlow ? SLOW_MESSAGES : MESSAGES));
                (isSlow ? slow : bulk)
                        .add(account(user, gmUri, pw, targetUri, target, isSlow ? slowOptions : PassOptions.DEFAULTS));
            }
            for (int i = 0; i < 100; i++) {
                boolean isSlow = i < 3;
                String user = (isSlow ? "slowd" : "dv") + i;
                String pw = "pw-" + user;
                expected.put(user, ClusterFixture.fillDovecot(dovecot, user, pw, isSlow ? SLOW_MESSAGES : MESSAGES));
                (isSlow ? slow : bulk)
                        .add(account(user, dvUri, pw, targetUri, target, isSlow ? slowOptions : PassOptions.DEFAULTS));
            }
            ClusterQueue queue = new ClusterQueue(db);
            assertThat(queue.enqueue(slow, JobKind.LOGIN, 50, sealer)).hasSize(6);
            assertThat(queue.enqueue(bulk, JobKind.BULK, 50, sealer)).hasSize(194);

            System.out.printf("servers and 200 accounts ready after %d ms%n", ms(t0));
            List<Path> logs = new ArrayList<>();
            for (String name : List.of("w-a", "w-b", "w-c")) {
                Path log = tmp.resolve(name + ".log");
                logs.add(log);
                workers.add(ClusterFixture.startWorker(pg.url(), keyFile, name, 4, SLOW_DELAY_MS, log));
            }
            for (int i = 0; i < 3; i++) {
                ClusterFixture.awaitReady(logs.get(i), workers.get(i));
            }
            Duration bound = ClusterWorker.builder().takeoverBound();
            System.out.printf("3 workers ready after %d ms%n", ms(t0));

            List<String> names = List.of("w-a", "w-b", "w-c");
            // kill -9 a worker in the middle of a slow mailbox (whichever first has one: which
            // worker polls first and takes the slow logins is up to the scheduler).
            String[] killed = midMailbox(db, List.of());
            String killedAccount = killed[0];
            Instant killedAt = Instant.now();
            workers.get(names.indexOf(killed[1])).destroyForcibly().waitFor();

            // kill -STOP another worker in the middle of a slow mailbox, until another worker took it over.
            String[] stopped = midMailbox(db, List.of(killed[1]));
            String stoppedAccount = stopped[0];
            String stoppedWorker = stopped[1];
            Process stoppedProcess = workers.get(names.indexOf(stoppedWorker));
            Path stoppedLog = logs.get(names.indexOf(stoppedWorker));
            ClusterFixture.signal(stoppedProcess, "STOP");
            await(bound.plusSeconds(20), stoppedAccount + " taken over from the stopped worker", () -> {
                var r = rows(db, "SELECT worker FROM cluster_accounts WHERE account_id = ?", stoppedAccount);
                return !stoppedWorker.equals(r.get(0).get("worker"));
            });
            Thread.sleep(2000); // the new holder writes checkpoints meanwhile
            ClusterFixture.signal(stoppedProcess, "CONT");
            System.out.printf("stopped worker resumed after %d ms%n", ms(t0));

            await(Duration.ofSeconds(150), "all 200 accounts DONE", () -> {
                var r = rows(db, "SELECT count(*) AS n FROM cluster_accounts WHERE state = 'DONE'");
                return ((Number) r.get(0).get("n")).intValue() == 200;
            });

            System.out.printf("all DONE after %d ms%n", ms(t0));
            // The killed worker's pass was taken over within the bound.
            var takeover = rows(
                    db,
                    "SELECT at, worker FROM cluster_events WHERE kind = 'TAKEOVER' AND account_id = ? ORDER BY at"
                            + " LIMIT 1",
                    killedAccount);
            assertThat(takeover).as("a takeover of %s", killedAccount).hasSize(1);
            Duration took =
                    Duration.between(killedAt, ((Timestamp) takeover.get(0).get("at")).toInstant());
            System.out.printf(
                    "takeover of %s after the kill: %d ms (bound %d ms)%n",
                    killedAccount, took.toMillis(), bound.toMillis());
            // The bound plus 2 s for process scheduling on a shared 2-core machine.
            assertThat(took).isLessThanOrEqualTo(bound.plusSeconds(2));

            // The stopped worker's late writes were refused, recorded and logged by it.
            await(Duration.ofSeconds(20), "a refused late write of the stopped worker", () -> !rows(
                            db,
                            "SELECT 1 FROM cluster_events WHERE kind = 'FENCED_WRITE_REFUSED' AND worker = ?"
                                    + " AND account_id = ?",
                            stoppedWorker,
                            stoppedAccount)
                    .isEmpty());
            assertThat(ClusterFixture.read(stoppedLog)).contains("late write refused");

            // Every target holds every message of its source exactly once.
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                List<String> got = ClusterFixture.inboxIds(target, "t-" + e.getKey());
                assertThat(got).as("target of %s", e.getKey()).hasSameSizeAs(e.getValue());
                assertThat(new HashSet<>(got)).as("target of %s", e.getKey()).isEqualTo(new HashSet<>(e.getValue()));
            }
            ClusterSummary summary = queue.summary(10, 60);
            assertThat(summary.count(JobState.DONE)).isEqualTo(200);
            assertThat(summary.takeovers()).isGreaterThanOrEqualTo(2);
            assertThat(summary.refusedWrites()).isGreaterThanOrEqualTo(1);
        } finally {
            for (Process p : workers) {
                if (p.isAlive()) {
                    ClusterFixture.signal(p, "CONT");
                    p.destroyForcibly().waitFor();
                }
            }
            gmSource.stop();
            target.stop();
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Waits until a slow account runs on a worker not in {@code excluded} with some but not all of
     * its messages copied; returns the account and the worker.
     */
    private static String[] midMailbox(DataSource db, List<String> excluded) throws Exception {
        String[] found = new String[2];
        await(
                Duration.ofSeconds(60),
                "a slow mailbox in the middle of its copy on a worker other than " + excluded,
                () -> {
                    var r = rows(
                            db,
                            "SELECT account_id, worker FROM cluster_accounts WHERE state = 'RUNNING'"
                                    + " AND account_id LIKE 'slow%' AND messages_done >= 2 AND messages_done <= ?"
                                    + " AND NOT worker = ANY(?)",
                            SLOW_MESSAGES - 4,
                            excluded.toArray(String[]::new));
                    if (r.isEmpty()) {
                        return false;
                    }
                    found[0] = (String) r.get(0).get("account_id");
                    found[1] = (String) r.get(0).get("worker");
                    return true;
                },
                () -> ClusterFixture.dump(db));
        return found;
    }

    private static NewAccount account(
            String user, String sourceUri, String password, String targetUri, GreenMail target, PassOptions options) {
        target.setUser("t-" + user + "@example.org", "t-" + user, ClusterFixture.TARGET_PASSWORD);
        return new NewAccount(
                user,
                new Mailbox(sourceUri, user),
                password.toCharArray(),
                new Mailbox(targetUri, "t-" + user),
                ClusterFixture.TARGET_PASSWORD.toCharArray(),
                options);
    }
}
