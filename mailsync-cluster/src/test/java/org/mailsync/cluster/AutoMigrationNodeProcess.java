package org.mailsync.cluster;

import java.nio.file.Path;
import java.time.Duration;
import org.mailsync.imap.ImapLegacyConnector;
import org.mailsync.jdbc.Database;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.DomainSettings;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.LoginResult;
import org.mailsync.migration.UsernameMapping;

/**
 * A node of a vendor's cluster running {@link AutoMigration} with {@link ClusterMigrationRunner},
 * as a JVM of its own so that a test can kill it: {@code AutoMigrationNodeProcess PG_URL
 * LEGACY_PORT TARGET_PORT MARKER_DIR NODE APPEND_DELAY_MS [USER PASSWORD]}. Prints {@code READY}
 * once started, then, given a user, logs that user in and prints {@code LOGIN outcome}; then runs
 * until killed.
 */
public final class AutoMigrationNodeProcess {
    static final String MASTER = "admin";
    static final String MASTER_PASSWORD = "admin-pw-5";

    private AutoMigrationNodeProcess() {}

    public static void main(String[] args) throws Exception {
        Database db = Database.connect(args[0], "postgres", new char[0], 10);
        AutoMigration node = node(
                db,
                Integer.parseInt(args[1]),
                new ImapLocalMailboxes(Integer.parseInt(args[2]), Path.of(args[3]), Long.parseLong(args[5])),
                args[4]);
        System.out.println("READY " + args[4]);
        System.out.flush();
        if (args.length > 6) {
            LoginResult login = node.onLogin(args[6], args[7].toCharArray());
            System.out.println("LOGIN " + login.outcome());
            System.out.flush();
        }
        Thread.currentThread().join(); // until killed
    }

    /** A started node over the cluster's database, a Dovecot legacy server on loopback and {@code local}. */
    static AutoMigration node(Database db, int legacyPort, ImapLocalMailboxes local, String name) throws Exception {
        ClusterMigrationRunner runner = ClusterMigrationRunner.over(db.dataSource(), name, 2);
        AutoMigration node = AutoMigration.builder()
                .connector(new ImapLegacyConnector(Duration.ofSeconds(10), 2))
                .mailboxes(local)
                .provisioner(local)
                .stateStore(SharedMigrationStates.over(db.dataSource()))
                .checkpoints(runner.checkpoints())
                .runner(runner)
                .domain(DomainSettings.forDomain("example.org")
                        .legacy(new LegacyEndpoint("127.0.0.1", legacyPort, LegacyEndpoint.Security.NONE))
                        .usernames(UsernameMapping.localPartOnLegacy())
                        .masterCredentials(MASTER, MASTER_PASSWORD.toCharArray())
                        .maxConnectionsPerHost(6)
                        .build())
                .build();
        node.start();
        return node;
    }
}
