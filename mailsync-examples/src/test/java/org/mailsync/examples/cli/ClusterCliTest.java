package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.cluster.ClusterQueue;
import org.mailsync.cluster.ClusterWorker;
import org.mailsync.cluster.JobState;
import org.mailsync.jdbc.SecretOpener;
import org.mailsync.jdbc.testing.PostgresServer;

/**
 * The cluster commands end to end on a real PostgreSQL: init writes the key file 0600 and
 * publishes its public key; enqueue takes the batch CSV and stores no password in clear; a worker
 * with that key migrates the accounts; status shows them done; retry re-queues.
 */
class ClusterCliTest {
    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    @Test
    void initEnqueueWorkStatusRetry() throws Exception {
        StringBuilder csv = new StringBuilder("source user,source password,target user,target password\n");
        for (String user : new String[] {"anna", "ben", "cleo"}) {
            oldServer.setUser(user + "@alt.example", user, user + "-Old-Secret");
            newServer.setUser(user + "@neu.example", user, user + "-New-Secret");
            oldServer.getUserManager().getUser(user).deliver(mime(user));
            csv.append(user)
                    .append(',')
                    .append(user)
                    .append("-Old-Secret,")
                    .append(user)
                    .append(',')
                    .append(user)
                    .append("-New-Secret\n");
        }
        Path file = home.resolve("accounts.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        try (PostgresServer pg = PostgresServer.start()) {
            Map<String, String> env = Map.of();
            Path key = home.resolve("worker.key");
            CliRun init = CliRun.run(home, env, "cluster", "init", "--db", pg.url(), "--key", key.toString());
            assertThat(init.code()).as(init.toString()).isZero();
            assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

            CliRun enqueue = CliRun.run(
                    home,
                    env,
                    "cluster",
                    "enqueue",
                    file.toString(),
                    "--db",
                    pg.url(),
                    "--source",
                    "imap://127.0.0.1:" + oldServer.getImap().getPort(),
                    "--target",
                    "imap://127.0.0.1:" + newServer.getImap().getPort());
            assertThat(enqueue.code()).as(enqueue.toString()).isZero();
            assertThat(enqueue.out()).contains("queued 3 of 3 accounts");
            assertThat(enqueue.toString()).doesNotContain("Secret");
            assertThat(databaseText(pg)).doesNotContain("Old-Secret").doesNotContain("New-Secret");

            try (ClusterWorker worker = ClusterWorker.builder()
                    .database(pg.dataSource())
                    .secrets(SecretOpener.fromKeyFile(key))
                    .threads(2)
                    .build()) {
                worker.start();
                ClusterQueue queue = new ClusterQueue(pg.dataSource());
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (queue.summary(10, 10).count(JobState.DONE) < 3) {
                    assertThat(System.nanoTime())
                            .as("accounts done within 60 s")
                            .isLessThan(deadline);
                    Thread.sleep(200);
                }
            }
            for (String user : new String[] {"anna", "ben", "cleo"}) {
                assertThat(newServer
                                .getManagers()
                                .getImapHostManager()
                                .getInbox(newServer.getUserManager().getUser(user))
                                .getMessageCount())
                        .as(user)
                        .isEqualTo(1);
            }
            CliRun status = CliRun.run(home, env, "cluster", "status", "--db", pg.url());
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out()).containsPattern("DONE\\s+3").contains("throughput");

            CliRun none = CliRun.run(home, env, "cluster", "retry", "--failed", "--db", pg.url());
            assertThat(none.out()).contains("0 accounts queued again");
            String anna = "anna@127.0.0.1:" + oldServer.getImap().getPort() + " -> anna@127.0.0.1:"
                    + newServer.getImap().getPort();
            CliRun again = CliRun.run(home, env, "cluster", "retry", anna, "--even-done", "--db", pg.url());
            assertThat(again.out()).contains("1 accounts queued again");

            CliRun clear = CliRun.run(home, env, "cluster", "status", "--db", pg.url() + "?password=x");
            assertThat(clear.code()).isEqualTo(ExitCode.USAGE.code);
        }
    }

    private static jakarta.mail.internet.MimeMessage mime(String user) throws Exception {
        jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage((jakarta.mail.Session) null);
        m.setFrom("x@example.net");
        m.setSubject("hello " + user);
        m.setText("body");
        m.saveChanges();
        return m;
    }

    /** Every text and bytea value of the cluster's account and secret tables, as text. */
    private static String databaseText(PostgresServer pg) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = pg.dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (String table : new String[] {"cluster_accounts", "mailsync_account_secret", "scheduled_tasks"}) {
                try (ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
                    while (r.next()) {
                        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                            byte[] b = r.getBytes(i);
                            if (b != null) {
                                all.append(new String(b, StandardCharsets.ISO_8859_1))
                                        .append('\n');
                            }
                        }
                    }
                }
            }
        }
        return all.toString();
    }
}
