package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.cluster.ClusterFixture.await;
import static org.mailsync.cluster.ClusterFixture.rows;

import com.icegreen.greenmail.util.GreenMail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.jdbc.Database;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.Route;
import org.mailsync.testing.DovecotServer;

/**
 * Auto-migration on a vendor's cluster when a node dies for real: node A, a JVM of its own, gets
 * a user's first login and is killed with SIGKILL in the middle of the copy (no shutdown, no
 * release of its lease or its job); node B takes the account over within the runner's takeover
 * bound and finishes it. The target ends with every message exactly once, B says SYNCED, and B
 * routes the account as a node started after the migration does.
 */
class AutoMigrationKilledNodeTest {
    private static final int MESSAGES = 30;
    private static final long APPEND_DELAY_MS = 150;
    private static final String CARL = "carl@example.org";

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aNodeKilledInTheMiddleOfACopyIsTakenOverAndTheMailboxEndsWithEachMessageOnce() throws Exception {
        long t0 = System.nanoTime();
        GreenMail target = ClusterFixture.greenMail();
        Process nodeA = null;
        AutoMigration b = null;
        AutoMigration c = null;
        try (PostgresServer pg = PostgresServer.start();
                DovecotServer dovecot = DovecotServer.start()) {
            DataSource db = pg.dataSource();
            ClusterSchema.apply(db);
            dovecot.addMasterUser(AutoMigrationNodeProcess.MASTER, AutoMigrationNodeProcess.MASTER_PASSWORD);
            List<String> expected = ClusterFixture.fillDovecot(dovecot, "carl", "pw-carl", MESSAGES);
            target.setUser("t-carl@example.org", "t-carl", ClusterFixture.TARGET_PASSWORD);
            Path markers = Files.createDirectory(
                    tmp.resolve("markers"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            int targetPort = target.getImap().getPort();

            // Node A: carl logs in there, A provisions him and picks his copy (B is not up yet).
            Path logA = tmp.resolve("node-a.log");
            nodeA = ClusterFixture.startJvm(
                    AutoMigrationNodeProcess.class,
                    logA,
                    pg.url(),
                    String.valueOf(dovecot.port()),
                    String.valueOf(targetPort),
                    markers.toString(),
                    "node-a",
                    String.valueOf(APPEND_DELAY_MS),
                    CARL,
                    "pw-carl");
            ClusterFixture.awaitReady(logA, nodeA);
            Process a = nodeA;
            await(Duration.ofSeconds(30), "carl's login on node A", () -> {
                assertThat(a.isAlive())
                        .as("node A alive; log:%n%s", ClusterFixture.read(logA))
                        .isTrue();
                return ClusterFixture.read(logA).contains("LOGIN ");
            });
            assertThat(ClusterFixture.read(logA)).contains("LOGIN MIGRATION_STARTED");
            await(
                    Duration.ofSeconds(30),
                    "carl's copy under way on node A",
                    () -> {
                        int copied = ClusterFixture.inboxIds(target, "t-carl").size();
                        return "node-a".equals(leaseHolder(db, true)) && copied >= 3 && copied <= MESSAGES - 10;
                    },
                    () -> ClusterFixture.read(logA));
            System.out.printf("node A mid-copy after %d ms%n", ms(t0));

            // Node B, in this JVM, comes up while A copies: it sees carl as A left him.
            Database poolB = pg.newPool(10);
            b = AutoMigrationNodeProcess.node(
                    poolB, dovecot.port(), new ImapLocalMailboxes(targetPort, markers, 0), "node-b");
            assertThat(b.route(CARL)).isEqualTo(Route.local());
            assertThat(b.state(CARL).orElseThrow().status()).isEqualTo(MigrationStatus.COPYING);

            ClusterFixture.signal(nodeA, "KILL");
            Instant killedAt = Instant.now();
            assertThat(nodeA.waitFor(10, TimeUnit.SECONDS)).isTrue();
            int copiedAtKill = ClusterFixture.inboxIds(target, "t-carl").size();
            System.out.printf("node A killed with %d of %d messages copied%n", copiedAtKill, MESSAGES);
            assertThat(copiedAtKill).as("messages on the target when A died").isBetween(1, MESSAGES - 1);
            assertThat(b.state(CARL).orElseThrow().status()).isEqualTo(MigrationStatus.COPYING);

            // B takes carl over within the bound; meanwhile mail for carl stays local.
            ClusterMigrationRunner probe = ClusterMigrationRunner.over(db, "probe", 1);
            Duration bound = probe.takeoverBound();
            AutoMigration nodeB = b;
            await(Duration.ofSeconds(bound.toSeconds() + 20), "carl's lease taken over by node B", () -> {
                assertThat(nodeB.route(CARL)).isEqualTo(Route.local());
                return "node-b".equals(leaseHolder(db, false));
            });
            Instant acquired = ((Timestamp) rows(db, "SELECT acquired_at FROM mailsync_lease WHERE mailbox = ?", CARL)
                            .get(0)
                            .get("acquired_at"))
                    .toInstant();
            Duration took = Duration.between(killedAt, acquired);
            System.out.printf(
                    "takeover of carl after the kill: %d ms (bound %d ms)%n", took.toMillis(), bound.toMillis());
            // The bound plus 2 s for process scheduling on a shared 2-core machine.
            assertThat(took).isLessThanOrEqualTo(bound.plusSeconds(2));

            assertThat(b.awaitIdle(Duration.ofSeconds(40)))
                    .as("carl's job done on node B")
                    .isTrue();
            assertThat(b.state(CARL).orElseThrow().status())
                    .as("carl on node B: %s", b.state(CARL).orElseThrow().reason())
                    .isEqualTo(MigrationStatus.SYNCED);

            // Every message exactly once: as many as on the source, each Message-ID of the source.
            List<String> got = ClusterFixture.inboxIds(target, "t-carl");
            assertThat(got).hasSameSizeAs(expected);
            assertThat(new HashSet<>(got)).isEqualTo(new HashSet<>(expected));

            // B answers as a node started after the migration does.
            c = AutoMigrationNodeProcess.node(
                    pg.newPool(4), dovecot.port(), new ImapLocalMailboxes(targetPort, markers, 0), "node-c");
            assertThat(b.route(CARL)).isEqualTo(Route.local()).isEqualTo(c.route(CARL));
            assertThat(b.state(CARL)).isEqualTo(c.state(CARL));
            System.out.printf("done after %d ms%n", ms(t0));
        } finally {
            if (nodeA != null && nodeA.isAlive()) {
                nodeA.destroyForcibly().waitFor();
            }
            if (b != null) {
                b.close();
            }
            if (c != null) {
                c.close();
            }
            target.stop();
        }
    }

    /** Who holds (live) or last took (not live: B may finish between two looks) carl's lease. */
    private static String leaseHolder(DataSource db, boolean live) throws Exception {
        var r = rows(
                db,
                "SELECT holder FROM mailsync_lease WHERE mailbox = ? AND (expires_at > now() OR NOT ?)",
                CARL,
                live);
        return r.isEmpty() ? "" : (String) r.get(0).get("holder");
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
