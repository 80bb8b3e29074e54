package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.jdbc.SecretKeys;
import org.mailsync.jdbc.SecretSealer;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.status.AccountFailure;
import org.mailsync.status.RunningMailbox;
import org.mailsync.status.StatusSnapshot;

/** The status page's view over the cluster's tables: what it shows of each state, and what a retry does. */
class ClusterStatusViewTest {
    @TempDir
    Path tmp;

    @Test
    void showsStatesProgressFailuresAndRetriesOnlyFailedAccounts() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            DataSource db = pg.dataSource();
            ClusterSchema.apply(db);
            SecretSealer sealer = SecretSealer.to(SecretKeys.generate(tmp.resolve("k")));
            List<NewAccount> accounts = new ArrayList<>();
            for (String user : List.of("queued", "running", "done", "failed")) {
                accounts.add(new NewAccount(
                        user,
                        new Mailbox("imap://127.0.0.1:1143", user),
                        "pw".toCharArray(),
                        new Mailbox("imap://127.0.0.1:2143", user),
                        "pw".toCharArray(),
                        PassOptions.DEFAULTS));
            }
            new ClusterQueue(db).enqueue(accounts, JobKind.BULK, 4, sealer);
            sql(
                    db,
                    "UPDATE cluster_accounts SET state = 'RUNNING', worker = 'w-1', started_at = now(),"
                            + " messages_done = 3, messages_total = 10, bytes_done = 300, bytes_total = 1000"
                            + " WHERE account_id = 'running'");
            sql(db, "UPDATE cluster_accounts SET state = 'DONE', finished_at = now() WHERE account_id = 'done'");
            sql(
                    db,
                    "UPDATE cluster_accounts SET state = 'FAILED', attempts = 5, finished_at = now(),"
                            + " reason = 'gave up: <b>LOGIN refused</b>' WHERE account_id = 'failed'");
            sql(
                    db,
                    "INSERT INTO cluster_throughput (minute, worker, messages, bytes) VALUES"
                            + " (date_trunc('minute', now()), 'w-1', 120, 12000), (date_trunc('minute', now()), 'w-2', 30, 10)");

            ClusterStatusView view = new ClusterStatusView(db);
            StatusSnapshot s = view.snapshot();
            assertThat(s.accountsByState())
                    .containsExactly(
                            java.util.Map.entry("QUEUED", 1L),
                            java.util.Map.entry("RUNNING", 1L),
                            java.util.Map.entry("DONE", 1L),
                            java.util.Map.entry("FAILED", 1L));
            assertThat(s.running()).singleElement().satisfies(r -> {
                assertThat(r.account()).isEqualTo("running");
                assertThat(r.worker()).isEqualTo("w-1");
                assertThat(r.messagesDone()).isEqualTo(3);
                assertThat(r.messagesTotal()).isEqualTo(10);
                assertThat(r.bytesTotal()).isEqualTo(1000);
            });
            assertThat(s.failures())
                    .extracting(AccountFailure::account, AccountFailure::reason, AccountFailure::attempts)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("failed", "gave up: <b>LOGIN refused</b>", 5));
            assertThat(s.throughput()).singleElement().satisfies(p -> assertThat(p.messagesPerMinute())
                    .isEqualTo(150.0));

            assertThat(view.retry("done")).isFalse();
            assertThat(view.retry("running")).isFalse();
            assertThat(view.retry("no such account")).isFalse();
            assertThat(view.retry("failed")).isTrue();
            assertThat(view.retry("failed")).isFalse();
            StatusSnapshot after = view.snapshot();
            assertThat(after.accountsByState()).containsEntry("FAILED", 0L).containsEntry("QUEUED", 2L);
            assertThat(after.failures()).isEmpty();
            assertThat(new ClusterQueue(db).account("failed").orElseThrow().kind())
                    .isEqualTo(JobKind.RESUME);
            assertThat(RunningMailbox.UNKNOWN).isNegative();
        }
    }

    private static void sql(DataSource db, String statement) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement p = c.prepareStatement(statement)) {
            p.executeUpdate();
        }
    }
}
