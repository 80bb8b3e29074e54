package org.mailsync.migration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.RawMessage;
import org.mailsync.StoreCapabilities;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.InstrumentedStore;

/** A legacy server and a new server in memory, a clock to drive, and what happened, for the auto-migration tests. */
final class MigrationFixture implements AutoCloseable {
    static final String DOMAIN = "example.org";
    static final LegacyEndpoint LEGACY = new LegacyEndpoint("legacy.example.org", 143, LegacyEndpoint.Security.NONE);
    static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    static final String MASTER = "admin";
    static final char[] MASTER_PASSWORD = "master-secret".toCharArray();

    final Path dir;
    final MutableClock clock = new MutableClock(START);
    final FakeLegacy legacy = new FakeLegacy();
    final FakeLocal local = new FakeLocal();
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<String> passes = Collections.synchronizedList(new ArrayList<>());
    final Map<String, List<SyncReport>> reports = new ConcurrentHashMap<>();
    private final List<AutoMigration> started = new ArrayList<>();

    MigrationFixture(Path dir) {
        this.dir = dir;
    }

    DomainSettings.Builder domain() {
        return DomainSettings.forDomain(DOMAIN).legacy(LEGACY);
    }

    DomainSettings withMaster() {
        return domain().masterCredentials(MASTER, MASTER_PASSWORD).build();
    }

    /** A builder with the fakes, files under the test directory, the test clock, fast engine retries. */
    AutoMigration.Builder builder() throws IOException {
        return AutoMigration.builder()
                .connector(legacy)
                .mailboxes(local)
                .provisioner(local)
                .stateDirectory(dir.resolve("state"))
                .checkpointDirectory(dir.resolve("checkpoints"))
                .clock(clock)
                .engine(1, 0, Duration.ZERO)
                .listener(new MigrationListener() {
                    @Override
                    public void stateChanged(AccountState previous, AccountState now) {
                        if (previous.status() != now.status()) {
                            events.add(now.account() + " " + now.status());
                        }
                    }

                    @Override
                    public void passFinished(String account, String pass, SyncReport report) {
                        passes.add(account + " " + pass);
                        reports.computeIfAbsent(
                                        account + " " + pass, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(report);
                    }
                });
    }

    AutoMigration start(AutoMigration.Builder builder) throws IOException {
        AutoMigration m = builder.build();
        started.add(m);
        m.start();
        return m;
    }

    static void idle(AutoMigration m) throws InterruptedException {
        if (!m.awaitIdle(Duration.ofSeconds(30))) {
            throw new AssertionError("migrations still running after 30 s; queued: " + m.queued());
        }
    }

    @Override
    public void close() {
        started.forEach(AutoMigration::close);
    }

    // ---- mail

    static byte[] message(String subject) {
        return ("From: sender@example.net\r\nTo: someone@example.org\r\nSubject: " + subject
                        + "\r\nDate: Sun, 1 Mar 2026 10:00:00 +0100\r\nMessage-ID: <" + subject.replace(' ', '.')
                        + "@example.net>\r\n\r\nBody of " + subject + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static void put(MailStore store, FolderPath folder, String subject, Instant date, Flags flags) throws IOException {
        if (!folder.isInbox()) {
            store.createFolder(folder);
        }
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(message(subject))) {
            f.append(new AppendRequest(raw, flags, date));
        }
    }

    /** {@code old} INBOX messages from 2020, {@code recent} from the last days, {@code sent} in Sent. */
    static void fill(MailStore store, String owner, int old, int recent, int sent) throws IOException {
        for (int i = 0; i < old; i++) {
            put(
                    store,
                    FolderPath.INBOX,
                    owner + " old " + i,
                    Instant.parse("2020-01-01T00:00:00Z").plusSeconds(i * 3600L),
                    Flags.NONE);
        }
        for (int i = 0; i < recent; i++) {
            put(
                    store,
                    FolderPath.INBOX,
                    owner + " recent " + i,
                    START.minus(Duration.ofDays(1)).plusSeconds(i),
                    Flags.of(org.mailsync.Flag.SEEN));
        }
        for (int i = 0; i < sent; i++) {
            put(
                    store,
                    FolderPath.of("Sent"),
                    owner + " sent " + i,
                    Instant.parse("2024-05-01T00:00:00Z").plusSeconds(i),
                    Flags.of(org.mailsync.Flag.SEEN));
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** The legacy server: users with passwords, a master user, and switches for outages. */
    static final class FakeLegacy implements LegacyConnector {
        private record Account(String password, InMemoryStore data) {}

        private final Map<String, Account> accounts = new ConcurrentHashMap<>();
        volatile boolean unreachable;
        final AtomicInteger throttleNext = new AtomicInteger();
        /** Logins whose folders cannot be opened: the connection drops in the middle of a pass. */
        final Set<String> dropping = ConcurrentHashMap.newKeySet();

        volatile @Nullable CountDownLatch gate;
        final AtomicInteger sessions = new AtomicInteger();
        final AtomicInteger maxSessions = new AtomicInteger();
        final List<String> opened = Collections.synchronizedList(new ArrayList<>());

        InMemoryStore addUser(String login, String password) {
            InMemoryStore store = InMemoryStore.create("legacy:" + login);
            accounts.put(login, new Account(password, store));
            return store;
        }

        InMemoryStore data(String login) {
            return accounts.get(login).data();
        }

        @Override
        public MailStore open(LegacyEndpoint endpoint, String login, char[] password) throws MailStoreException {
            arrive(login);
            Account a = accounts.get(login);
            if (a == null || !Arrays.equals(a.password().toCharArray(), password)) {
                throw new AuthenticationException(ErrorContext.of("legacy:" + login), "LOGIN failed", null);
            }
            opened.add(login);
            return session(login, a);
        }

        @Override
        public MailStore openAsMaster(LegacyEndpoint endpoint, String login, String masterLogin, char[] masterPassword)
                throws MailStoreException {
            arrive(login);
            Account a = accounts.get(login);
            if (a == null || !masterLogin.equals(MASTER) || !Arrays.equals(masterPassword, MASTER_PASSWORD)) {
                throw new AuthenticationException(ErrorContext.of("legacy:" + login), "master LOGIN failed", null);
            }
            opened.add("master:" + login);
            return session(login, a);
        }

        private void arrive(String login) throws ConnectionException {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    if (!g.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("legacy gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConnectionException(ErrorContext.of("legacy:" + login), "interrupted", e);
                }
            }
            if (unreachable) {
                throw new ConnectionException(ErrorContext.of("legacy:" + login), "connection refused", null);
            }
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ConnectionException(
                        ErrorContext.of("legacy:" + login),
                        "NO [LIMIT] too many connections",
                        null,
                        true,
                        Duration.ofMinutes(5));
            }
        }

        private MailStore session(String login, Account a) {
            int now = sessions.incrementAndGet();
            maxSessions.accumulateAndGet(now, Math::max);
            return new Session(login, a.data().reopen());
        }

        private final class Session implements MailStore {
            private final String login;
            private final MailStore delegate;
            private boolean closed;

            Session(String login, MailStore delegate) {
                this.login = login;
                this.delegate = delegate;
            }

            @Override
            public String account() {
                return delegate.account();
            }

            @Override
            public StoreCapabilities capabilities() {
                return delegate.capabilities();
            }

            @Override
            public List<FolderInfo> listFolders() throws MailStoreException {
                return delegate.listFolders();
            }

            @Override
            public void createFolder(FolderPath path) throws MailStoreException {
                delegate.createFolder(path);
            }

            @Override
            public FolderStatus status(FolderPath path) throws MailStoreException {
                drop(path);
                return delegate.status(path);
            }

            @Override
            public MailFolder openFolder(FolderPath path) throws MailStoreException {
                drop(path);
                return delegate.openFolder(path);
            }

            private void drop(FolderPath path) throws ConnectionException {
                if (dropping.contains(login)) {
                    throw new ConnectionException(ErrorContext.of(account(), path), "connection reset by peer", null);
                }
            }

            @Override
            public synchronized void close() throws MailStoreException {
                if (!closed) {
                    closed = true;
                    sessions.decrementAndGet();
                }
                delegate.close();
            }
        }
    }

    /** The new server: accounts created by the provisioner, with a password policy. */
    static final class FakeLocal implements LocalMailboxes, AccountProvisioner {
        final Map<String, InMemoryStore> stores = new ConcurrentHashMap<>();
        final Map<String, String> passwords = new ConcurrentHashMap<>();
        final List<String> provisioned = Collections.synchronizedList(new ArrayList<>());
        volatile int minPasswordLength;
        /** The process "dies" right after the next account is created, before anyone hears of it. */
        final java.util.concurrent.atomic.AtomicBoolean dieAfterProvisioning =
                new java.util.concurrent.atomic.AtomicBoolean();
        /** When set, pre-staging (provisioning without a password) waits for it. */
        volatile @Nullable CountDownLatch prestageGate;

        volatile InstrumentedStore.Hook hook = new InstrumentedStore.Hook() {};

        @Override
        public boolean exists(String account) {
            return stores.containsKey(account);
        }

        @Override
        public MailStore open(String account) throws IOException {
            InMemoryStore store = stores.get(account);
            if (store == null) {
                throw new IOException("no local account " + account);
            }
            InstrumentedStore instrumented = new InstrumentedStore(store.reopen());
            instrumented.hook(hook);
            return instrumented;
        }

        @Override
        public Optional<String> provision(String account, Optional<char[]> password) throws IOException {
            CountDownLatch g = prestageGate;
            if (password.isEmpty() && g != null) {
                try {
                    if (!g.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("pre-stage gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            if (password.isPresent()) {
                Optional<String> weak = policy(password.get());
                if (weak.isPresent()) {
                    return weak;
                }
                passwords.put(account, new String(password.get()));
            }
            stores.put(account, InMemoryStore.create("local:" + account));
            provisioned.add(account);
            if (dieAfterProvisioning.getAndSet(false)) {
                throw new InstrumentedStore.Crash("after the provisioner created " + account);
            }
            return Optional.empty();
        }

        @Override
        public Optional<String> setPassword(String account, char[] password) {
            Optional<String> weak = policy(password);
            if (weak.isEmpty()) {
                passwords.put(account, new String(password));
            }
            return weak;
        }

        private Optional<String> policy(char[] password) {
            return password.length < minPasswordLength
                    ? Optional.of("the password must have at least " + minPasswordLength + " characters")
                    : Optional.empty();
        }
    }
}
