package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.FolderPath;
import org.mailsync.imap.ImapLegacyConnector;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.DomainSettings;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.LoginResult;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.Route;
import org.mailsync.migration.UsernameMapping;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.MailboxAssertions;

/**
 * Auto-migration on two nodes of a vendor's cluster sharing one PostgreSQL: node A gets a user's
 * first login while node B pre-stages the same account; both answer {@code route} alike at every
 * step, the account is migrated by one node at a time, and its mailbox ends with each message
 * once.
 */
class AutoMigrationClusterTest {
    private static final int MESSAGES = 30;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aLoginOnOneNodeAndAPrestageOnTheOtherMigrateTheAccountOnce() throws Exception {
        try (PostgresServer pg = PostgresServer.start();
                DovecotServer dovecot = DovecotServer.start()) {
            ClusterSchema.apply(pg.dataSource());
            dovecot.addMasterUser("admin", "admin-pw-5");
            for (String user : List.of("alice", "bob")) {
                ClusterFixture.fillDovecot(dovecot, user, "pw-" + user, MESSAGES);
            }
            SharedLocal local = new SharedLocal();
            List<AutoMigration> nodes = new ArrayList<>();
            try {
                for (String name : List.of("node-a", "node-b")) {
                    ClusterMigrationRunner runner =
                            ClusterMigrationRunner.over(pg.newPool(8).dataSource(), name, 2);
                    AutoMigration node = AutoMigration.builder()
                            .connector(new ImapLegacyConnector(Duration.ofSeconds(10), 2))
                            .mailboxes(local)
                            .provisioner(local)
                            .stateStore(SharedMigrationStates.over(pg.dataSource()))
                            .checkpoints(runner.checkpoints())
                            .runner(runner)
                            .domain(DomainSettings.forDomain("example.org")
                                    .legacy(new LegacyEndpoint(
                                            dovecot.host(), dovecot.port(), LegacyEndpoint.Security.NONE))
                                    .usernames(UsernameMapping.localPartOnLegacy())
                                    .masterCredentials("admin", "admin-pw-5".toCharArray())
                                    .maxConnectionsPerHost(6)
                                    .build())
                            .build();
                    node.start();
                    nodes.add(node);
                }
                AutoMigration a = nodes.get(0);
                AutoMigration b = nodes.get(1);
                String alice = "alice@example.org";

                assertThat(a.route(alice)).isEqualTo(b.route(alice));
                assertThat(a.route(alice).deliverLocally()).isFalse();

                // B pre-stages alice and bob while alice logs in on A.
                assertThat(b.prestage(List.of(alice, "bob@example.org"))).isEqualTo(2);
                LoginResult login = a.onLogin(alice, "pw-alice".toCharArray());
                assertThat(login.outcome())
                        .isIn(LoginResult.Outcome.MIGRATION_STARTED, LoginResult.Outcome.ACCOUNT_EXISTS);

                // Both nodes answer alike while the copy runs, and once alice exists locally, locally.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!a.awaitIdle(Duration.ofMillis(200))) {
                    assertThat(System.nanoTime())
                            .as("migration still running after 60 s")
                            .isLessThan(deadline);
                    assertThat(a.route(alice)).isEqualTo(b.route(alice));
                    assertThat(a.state(alice)).isEqualTo(b.state(alice));
                }
                assertThat(a.route(alice)).isEqualTo(Route.local());
                assertThat(b.route(alice)).isEqualTo(a.route(alice));
                for (String user : List.of("alice", "bob")) {
                    String account = user + "@example.org";
                    assertThat(a.state(account).orElseThrow().status())
                            .as(account + ": " + a.state(account).orElseThrow().reason())
                            .isEqualTo(MigrationStatus.SYNCED);
                    assertThat(b.state(account)).isEqualTo(a.state(account));
                    try (ImapStore source = ImapStore.builder()
                            .host(dovecot.host())
                            .port(dovecot.port())
                            .security(Security.NONE)
                            .username(user)
                            .password(("pw-" + user).toCharArray())
                            .connect()) {
                        MailboxAssertions.assertSameMessages(
                                source, FolderPath.INBOX, local.stores.get(account), FolderPath.INBOX);
                    }
                }
                assertThat(local.provisioned).containsOnlyKeys(alice, "bob@example.org");
            } finally {
                nodes.forEach(AutoMigration::close);
            }
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aNodeStoppedInTheMiddleOfACopyIsTakenOverByTheOther() throws Exception {
        try (PostgresServer pg = PostgresServer.start();
                DovecotServer dovecot = DovecotServer.start()) {
            ClusterSchema.apply(pg.dataSource());
            dovecot.addMasterUser("admin", "admin-pw-5");
            ClusterFixture.fillDovecot(dovecot, "carl", "pw-carl", 40);
            SharedLocal local = new SharedLocal();
            local.appendDelayMillis = 100;
            Map<String, AutoMigration> nodes = new java.util.LinkedHashMap<>();
            try {
                for (String name : List.of("node-a", "node-b")) {
                    nodes.put(name, node(pg, dovecot, local, name));
                }
                String carl = "carl@example.org";
                assertThat(nodes.get("node-b").prestage(List.of(carl))).isEqualTo(1);
                String[] runner = new String[1];
                ClusterFixture.await(Duration.ofSeconds(30), "carl's copy under way", () -> {
                    var picked = ClusterFixture.rows(
                            pg.dataSource(),
                            "SELECT picked_by FROM scheduled_tasks WHERE task_name = ? AND task_instance = ? AND picked",
                            ClusterMigrationRunner.TASK,
                            carl);
                    InMemoryStore store = local.stores.get(carl);
                    if (picked.isEmpty() || store == null) {
                        return false;
                    }
                    runner[0] = (String) picked.get(0).get("picked_by");
                    int copied =
                            MailboxAssertions.snapshot(store, FolderPath.INBOX).size();
                    return copied >= 3 && copied < 30;
                });
                AutoMigration stopped = nodes.remove(runner[0]);
                stopped.close(); // in the middle of carl's copy
                AutoMigration other = nodes.values().iterator().next();
                ClusterFixture.await(Duration.ofSeconds(90), "carl SYNCED on the other node", () -> other.state(carl)
                        .map(st -> st.status() == MigrationStatus.SYNCED)
                        .orElse(false));
                try (ImapStore source = ImapStore.builder()
                        .host(dovecot.host())
                        .port(dovecot.port())
                        .security(Security.NONE)
                        .username("carl")
                        .password("pw-carl".toCharArray())
                        .connect()) {
                    MailboxAssertions.assertSameMessages(
                            source, FolderPath.INBOX, local.stores.get(carl), FolderPath.INBOX);
                }
            } finally {
                nodes.values().forEach(AutoMigration::close);
            }
        }
    }

    private static AutoMigration node(PostgresServer pg, DovecotServer dovecot, SharedLocal local, String name)
            throws Exception {
        ClusterMigrationRunner runner =
                ClusterMigrationRunner.over(pg.newPool(8).dataSource(), name, 2);
        AutoMigration node = AutoMigration.builder()
                .connector(new ImapLegacyConnector(Duration.ofSeconds(10), 2))
                .mailboxes(local)
                .provisioner(local)
                .stateStore(SharedMigrationStates.over(pg.dataSource()))
                .checkpoints(runner.checkpoints())
                .runner(runner)
                .domain(DomainSettings.forDomain("example.org")
                        .legacy(new LegacyEndpoint(dovecot.host(), dovecot.port(), LegacyEndpoint.Security.NONE))
                        .usernames(UsernameMapping.localPartOnLegacy())
                        .masterCredentials("admin", "admin-pw-5".toCharArray())
                        .maxConnectionsPerHost(6)
                        .build())
                .build();
        node.start();
        return node;
    }

    /**
     * The new server's mailboxes as both nodes see them (shared storage). Its provisioner accepts
     * a second request for an account it created, as a cluster's must (see ClusterMigrationRunner).
     */
    static final class SharedLocal implements LocalMailboxes, AccountProvisioner {
        final Map<String, InMemoryStore> stores = new ConcurrentHashMap<>();
        final Map<String, Integer> provisioned = new ConcurrentHashMap<>();
        volatile long appendDelayMillis;

        @Override
        public boolean exists(String account) {
            return stores.containsKey(account);
        }

        @Override
        public MailStore open(String account) throws IOException {
            InMemoryStore store = stores.get(account);
            if (store == null) {
                throw new IOException("no account " + account);
            }
            MailStore opened = store.reopen();
            if (appendDelayMillis == 0) {
                return opened;
            }
            // A slow new server: messages arrive one by one, so a test can stop a node mid-copy.
            return new org.mailsync.spi.ForwardingMailStore(opened) {
                @Override
                public org.mailsync.spi.MailFolder openFolder(FolderPath path) throws org.mailsync.MailStoreException {
                    return new org.mailsync.spi.ForwardingMailFolder(delegate().openFolder(path)) {
                        @Override
                        public List<Optional<org.mailsync.MessageUid>> appendAll(
                                List<org.mailsync.spi.AppendRequest> requests) throws org.mailsync.MailStoreException {
                            List<Optional<org.mailsync.MessageUid>> ids = new ArrayList<>();
                            for (org.mailsync.spi.AppendRequest r : requests) {
                                try {
                                    Thread.sleep(appendDelayMillis);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new org.mailsync.StoreFailureException(
                                            org.mailsync.ErrorContext.of(account), "interrupted", e);
                                }
                                ids.add(delegate().append(r));
                            }
                            return ids;
                        }
                    };
                }
            };
        }

        @Override
        public Optional<String> provision(String account, Optional<char[]> password) {
            stores.computeIfAbsent(account, a -> InMemoryStore.create("local:" + a));
            provisioned.merge(account, 1, Integer::sum);
            return Optional.empty();
        }

        @Override
        public Optional<String> setPassword(String account, char[] password) {
            return Optional.empty();
        }
    }
}
