package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.cluster.ClusterFixture.await;
import static org.mailsync.cluster.ClusterFixture.rows;

import com.icegreen.greenmail.util.GreenMail;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.jdbc.SecretKeys;
import org.mailsync.jdbc.SecretSealer;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.testing.DovecotServer;

/**
 * Accounts per minute over 1, 2 and 3 worker JVMs (4 threads each), Dovecot source, GreenMail
 * target, one PostgreSQL: {@code -Dbenchmark.accounts=1000 -Dbenchmark.messages=20} by default.
 * Prints, per run: accounts per minute; the threads' time per account beyond the pass itself
 * (scheduler polling, lease, slots, row writes, idle tail: an upper bound of the overhead);
 * PostgreSQL transactions and WAL bytes per account; checkpoint table bytes per message. Run:
 * {@code mvn -pl mailsync-cluster -am verify -Dtest=ClusterBenchmark -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class ClusterBenchmark {
    private static final int ACCOUNTS = Integer.getInteger("benchmark.accounts", 1000);
    private static final int MESSAGES = Integer.getInteger("benchmark.messages", 20);
    private static final int THREADS = 4;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.MINUTES)
    void accountsPerMinuteOverOneTwoAndThreeWorkers() throws Exception {
        try (PostgresServer pg = PostgresServer.start();
                DovecotServer dovecot = DovecotServer.start(
                        DovecotServer.Options.defaults().withExtraConfig("mail_max_userip_connections = 100"))) {
            DataSource db = pg.dataSource();
            ClusterSchema.apply(db);
            Path key = tmp.resolve("worker.key");
            SecretSealer sealer = SecretSealer.to(SecretKeys.generate(key));
            for (int i = 0; i < ACCOUNTS; i++) {
                ClusterFixture.fillDovecot(dovecot, "u" + i, "pw-u" + i, MESSAGES);
            }
            String sourceUri = "imap://127.0.0.1:" + dovecot.port();
            List<String> results = new ArrayList<>();
            for (int workers = 1; workers <= 3; workers++) {
                results.add(run(pg, db, key, sealer, sourceUri, workers));
            }
            System.out.println("\n== cluster benchmark: " + ACCOUNTS + " accounts x " + MESSAGES
                    + " messages, Dovecot -> GreenMail, " + THREADS + " threads per worker JVM, 2 cores shared");
            results.forEach(System.out::println);
        }
    }

    private String run(PostgresServer pg, DataSource db, Path key, SecretSealer sealer, String sourceUri, int n)
            throws Exception {
        for (String table : List.of(
                "cluster_accounts",
                "cluster_host_slots",
                "cluster_host_caps",
                "cluster_throughput",
                "cluster_events",
                "scheduled_tasks",
                "mailsync_lease",
                "mailsync_checkpoint_snapshot",
                "mailsync_checkpoint_journal")) {
            rows(db, "SELECT count(*) FROM (SELECT 1) x"); // keep the pool warm
            try (var c = db.getConnection();
                    var s = c.createStatement()) {
                s.execute("TRUNCATE " + table + " CASCADE");
                s.execute("VACUUM FULL " + table);
            }
        }
        GreenMail target = ClusterFixture.greenMail();
        List<Process> procs = new ArrayList<>();
        try {
            String targetUri = "imap://127.0.0.1:" + target.getImap().getPort();
            List<NewAccount> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                target.setUser("t-u" + i + "@example.org", "t-u" + i, ClusterFixture.TARGET_PASSWORD);
                accounts.add(new NewAccount(
                        "u" + i,
                        new Mailbox(sourceUri, "u" + i),
                        ("pw-u" + i).toCharArray(),
                        new Mailbox(targetUri, "t-u" + i),
                        ClusterFixture.TARGET_PASSWORD.toCharArray(),
                        PassOptions.DEFAULTS));
            }
            for (int w = 0; w < n; w++) {
                Path log = tmp.resolve("bench-" + n + "-" + w + ".log");
                procs.add(ClusterFixture.startWorker(pg.url(), key, "w" + w, THREADS, 0, log));
                ClusterFixture.awaitReady(log, procs.get(w));
            }
            Map<String, Object> before = stats(db);
            long start = System.nanoTime();
            new ClusterQueue(db).enqueue(accounts, JobKind.BULK, 1000, sealer);
            await(
                    Duration.ofMinutes(30),
                    "all accounts DONE",
                    () -> ((Number) rows(db, "SELECT count(*) AS n FROM cluster_accounts WHERE state = 'DONE'")
                                            .get(0)
                                            .get("n"))
                                    .intValue()
                            == ACCOUNTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> after = stats(db);
            double passSeconds = ((Number) rows(
                                    db,
                                    "SELECT sum(extract(epoch FROM finished_at - started_at)) AS s FROM cluster_accounts")
                            .get(0)
                            .get("s"))
                    .doubleValue();
            long copied = ((Number) rows(db, "SELECT sum(messages_done) AS m FROM cluster_accounts")
                            .get(0)
                            .get("m"))
                    .longValue();
            long checkpointBytes = ((Number) rows(
                                    db,
                                    "SELECT pg_total_relation_size('mailsync_checkpoint_snapshot')"
                                            + " + pg_total_relation_size('mailsync_checkpoint_journal') AS b")
                            .get(0)
                            .get("b"))
                    .longValue();
            long xacts = ((Number) after.get("x")).longValue() - ((Number) before.get("x")).longValue();
            long wal = ((Number) rows(
                                    db,
                                    "SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn) AS d",
                                    after.get("lsn"),
                                    before.get("lsn"))
                            .get(0)
                            .get("d"))
                    .longValue();
            assertThat(copied).isEqualTo((long) ACCOUNTS * MESSAGES);
            double overheadMs = (seconds * n * THREADS - passSeconds) * 1000 / ACCOUNTS;
            return String.format(
                    "%d worker JVM(s): %.0f s, %.0f accounts/min, %.0f messages/s; pass %.0f ms/account;"
                            + " thread time beyond the pass %.0f ms/account (upper bound of scheduler+DB overhead);"
                            + " %.1f PostgreSQL transactions and %.0f WAL bytes per account;"
                            + " checkpoint tables %.0f bytes per message",
                    n,
                    seconds,
                    ACCOUNTS / seconds * 60,
                    copied / seconds,
                    passSeconds * 1000 / ACCOUNTS,
                    overheadMs,
                    (double) xacts / ACCOUNTS,
                    (double) wal / ACCOUNTS,
                    (double) checkpointBytes / copied);
        } finally {
            for (Process p : procs) {
                p.destroyForcibly().waitFor();
            }
            target.stop();
        }
    }

    private static Map<String, Object> stats(DataSource db) throws Exception {
        return rows(
                        db,
                        "SELECT xact_commit + xact_rollback AS x, pg_current_wal_lsn()::text AS lsn FROM pg_stat_database"
                                + " WHERE datname = current_database()")
                .get(0);
    }
}
