package org.mailsync.examples.templates;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.mailsync.imap.ImapLegacyConnector;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.DomainSettings;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.LoginResult;
import org.mailsync.migration.Route;
import org.mailsync.migration.UsernameMapping;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.spi.MailStore;

/**
 * Template: how a mail server vendor wires auto-migration. Three things are the vendor's: the
 * {@link LegacyConnector} (the IMAP store ships one: {@link ImapLegacyConnector}), its mailbox storage ({@link
 * LocalMailboxes}) and its account creation ({@link AccountProvisioner}); here the last two are
 * in memory. Call {@code onLogin} from every login path (IMAP, POP3, webmail) before local
 * authentication, and {@code route} from the SMTP side.
 *
 * <p>Thread-safe.
 */
public final class AutoMigrationDemo implements AutoCloseable {
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    private final NewServer newServer = new NewServer();
    private final AutoMigration migration;

    /**
     * Migrates {@code domain} from {@code legacy}. Master credentials (a Dovecot master user, an
     * admin login) enable bulk pre-staging; without them (null) each account migrates with its
     * user's own login.
     */
    public AutoMigrationDemo(
            String domain,
            LegacyEndpoint legacy,
            @Nullable String masterLogin,
            char @Nullable [] masterPassword,
            Path state)
            throws IOException {
        DomainSettings.Builder settings = DomainSettings.forDomain(domain)
                .legacy(legacy)
                .usernames(UsernameMapping.localPartOnLegacy())
                .maxConnectionsPerHost(9);
        if (masterLogin != null && masterPassword != null) {
            settings.masterCredentials(masterLogin, masterPassword);
        }
        migration = AutoMigration.builder()
                .connector(new ImapLegacyConnector(Duration.ofSeconds(5), 2)) // the IMAP store's adapter
                .mailboxes(newServer)
                .provisioner(newServer)
                .stateDirectory(state.resolve("accounts"))
                .checkpointDirectory(state.resolve("checkpoints"))
                .domain(settings.build())
                .maxConcurrentMigrations(8)
                .loginTimeout(Duration.ofSeconds(8))
                .deltaInterval(Duration.ofMinutes(15))
                .deltaPeriod(Duration.ofDays(3))
                .scheduler(ticks, Duration.ofSeconds(30))
                .build();
        migration.start(); // resumes whatever a restart interrupted
    }

    /** The login hook: true if the login may go on to local authentication. */
    public boolean login(String user, char[] password) throws InterruptedException {
        LoginResult r = migration.onLogin(user, password);
        return switch (r.outcome()) {
            case NOT_MIGRATING, ACCOUNT_EXISTS, MIGRATION_STARTED -> true;
            case LEGACY_REFUSED -> false;
            case PROVISIONING_REFUSED -> false; // show r.reason() and ask for a new password
            case LEGACY_UNREACHABLE -> false; // or true, to let existing local accounts in
        };
    }

    /** The SMTP hook. */
    public Route route(String recipient) {
        return migration.route(recipient);
    }

    /** The vendor's admin action: migrate everyone, including users who never log in. */
    public int prestage(Iterable<String> addresses) throws IOException {
        return migration.prestage(com.google.common.collect.ImmutableList.copyOf(addresses));
    }

    public AutoMigration migration() {
        return migration;
    }

    public Map<String, InMemoryStore> localMailboxes() {
        return newServer.stores;
    }

    @Override
    public void close() {
        migration.close();
        ticks.shutdownNow();
    }

    /** Stands in for the vendor's storage and account database. */
    static final class NewServer implements LocalMailboxes, AccountProvisioner {
        final Map<String, InMemoryStore> stores = new ConcurrentHashMap<>();
        final Map<String, char[]> passwords = new ConcurrentHashMap<>();

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
            return store.reopen();
        }

        @Override
        public Optional<String> provision(String account, Optional<char[]> password) {
            if (password.isPresent() && password.get().length < 8) {
                return Optional.of("choose a password of at least 8 characters");
            }
            password.ifPresent(p -> passwords.put(account, p.clone())); // a real server stores a hash
            stores.put(account, InMemoryStore.create("local:" + account));
            return Optional.empty();
        }

        @Override
        public Optional<String> setPassword(String account, char[] password) {
            if (password.length < 8) {
                return Optional.of("choose a password of at least 8 characters");
            }
            passwords.put(account, password.clone());
            return Optional.empty();
        }
    }
}
