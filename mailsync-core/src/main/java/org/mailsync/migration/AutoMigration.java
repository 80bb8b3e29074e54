package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNullElse;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.mailsync.BackoffPolicy;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderMapping;
import org.mailsync.SyncEngine;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.migration.spi.MigrationCheckpoints;
import org.mailsync.migration.spi.MigrationRunner;
import org.mailsync.migration.spi.MigrationRunner.Priority;
import org.mailsync.migration.spi.MigrationStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto-migration from a legacy mail server, embedded in a new one: {@link #onLogin} checks a first
 * login's password against the legacy server, has the account provisioned and starts copying its
 * mailbox in the background; {@link #route} tells the SMTP side where a recipient's mail goes
 * meanwhile; {@link #prestage} migrates accounts in bulk with master credentials before their users
 * log in. Each account's state is saved (see {@link MigrationStateStore}) and each copy is a
 * checkpointed {@link SyncEngine} pass, so after a restart {@link #start()} resumes every
 * interrupted migration without losing or duplicating a message.
 *
 * <p>A migration runs an INBOX-only pass over the mail of the last {@link Builder#recentWindow}
 * first (so the user sees recent mail at once), then a full pass over every folder; then delta
 * passes every {@link Builder#deltaInterval} for {@link Builder#deltaPeriod}, which pick up mail
 * that still reaches the legacy server (DNS caches, the MX TTL), until the account is done.
 * Timed work (delta passes, retries with back-off) happens in {@link #tick()}, which a scheduler
 * calls (see {@link Builder#scheduler}) or the vendor does.
 *
 * <pre>{@code
 * AutoMigration migration = AutoMigration.builder()
 *     .connector(imapConnector).mailboxes(localStorage).provisioner(accounts)
 *     .stateDirectory(Path.of("/var/lib/mail/migration/state"))
 *     .checkpointDirectory(Path.of("/var/lib/mail/migration/checkpoints"))
 *     .domain(DomainSettings.forDomain("example.org").legacy("old.example.org", 993, TLS).build())
 *     .build();
 * migration.start();
 * LoginResult r = migration.onLogin("alice@example.org", password);
 * }</pre>
 *
 * <p>Inside, in named parts (all package-private): the configuration copied once at {@link
 * Builder#build()} ({@code MigrationConfig}); the login gate, which takes a legacy session for a
 * login check and gives it back in one place ({@code LoginGate}, {@code LegacySessions}); the
 * accounts' states with striped locks ({@code AccountStates}); the users' passwords ({@code
 * PasswordHolder}); one account's job ({@code AccountMigrator}), retried as the {@link
 * org.mailsync.BackoffPolicy} of {@link Builder#retries(org.mailsync.BackoffPolicy)} says; and the
 * job runner, an SPI ({@link MigrationRunner}) whose in-process default is {@code JobQueue}. This
 * class ties them together: the service's lifecycle, the login's decisions, routing and the timed
 * work.
 *
 * <p>Thread-safe. Never logs or stores a user's password; without master credentials it keeps a
 * copy in memory only, for the account's own passes, until the account is done or failed.
 */
public final class AutoMigration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AutoMigration.class);

    private final MigrationConfig config;
    private final LocalMailboxes mailboxes;
    private final AccountProvisioner provisioner;
    private final ImmutableMap<String, DomainSettings> domains;
    private final AccountStates states;
    private final PasswordHolder passwords = new PasswordHolder();
    private final LegacySessions sessions = new LegacySessions();
    private final LoginGate loginGate;
    private final MigrationRunner runner;
    private final AccountMigrator migrator;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable ScheduledFuture<?> ticker;

    private AutoMigration(MigrationConfig config) {
        this.config = config;
        this.mailboxes = config.mailboxes();
        this.provisioner = config.provisioner();
        this.states = new AccountStates(config.stateStore(), config.listener(), AccountStates.DEFAULT_STRIPES);
        this.domains = config.domains();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService checks = config.loginCheckExecutor();
        ExecutorService loginChecks = checks != null
                ? checks
                : Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "mailsync-login-check-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.loginGate = new LoginGate(config.connector(), sessions, loginChecks, config.loginTimeout());
        MigrationRunner vendorRunner = config.runner();
        this.runner = vendorRunner != null
                ? vendorRunner
                : new JobQueue(config.maxConcurrentMigrations(), config.executor(), sessions);
        this.migrator = new AccountMigrator(config, states, passwords, closed::get);
    }

    /** A builder; connector, mailboxes, provisioner, state store, checkpoints and a domain are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads the saved state of every account and resumes what was interrupted: accounts queued
     * for pre-staging, and copies that were under way (with master credentials; without them a
     * copy resumes at its user's next login). Starts the scheduler, if one was given. Call once.
     */
    public void start() throws IOException {
        checkState(started.compareAndSet(false, true), "already started");
        runner.start(migrator::run);
        states.loadAll();
        for (AccountState saved : List.copyOf(states.all())) {
            DomainSettings d = domains.get(saved.domain());
            if (d == null || !d.enabled()) {
                continue;
            }
            AccountState st = saved;
            if (!st.provisioned() && st.status() != MigrationStatus.FAILED && mailboxes.exists(st.account())) {
                st = requireNonNullElse(migrator.adopt(st), st); // null: the state could not be read back
            }
            if (st.nextAttemptAt() != null) {
                continue; // retries wait for their time in tick()
            }
            switch (st.status()) {
                case NOT_STARTED -> {
                    if (st.queued()) {
                        submit(st.account(), d, Priority.BULK);
                    }
                }
                case PROVISIONED, COPYING -> {
                    if (d.hasMasterCredentials()) {
                        submit(st.account(), d, Priority.RESUME);
                    } else {
                        update(st.account(), s -> s.withStatus(s.status(), AccountMigrator.WAITING_FOR_LOGIN, now()));
                    }
                }
                default -> {}
            }
        }
        ScheduledExecutorService scheduler = config.scheduler();
        if (scheduler != null) {
            long every = config.tickInterval().toMillis();
            ticker = scheduler.scheduleWithFixedDelay(this::tickQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A login to the new server: answers within the login timeout (the legacy check and the wait
     * for a legacy session are bounded by it; the vendor's own provisioner, called after a
     * successful check, is not). See {@link LoginResult.Outcome} for what each answer asks of the
     * vendor. The password array stays the caller's.
     */
    public LoginResult onLogin(String user, char[] password) throws InterruptedException {
        checkState(started.get(), "start() was not called");
        long deadline = System.nanoTime() + config.loginTimeout().toNanos();
        Optional<Target> found = target(user);
        if (found.isEmpty()) {
            return LoginResult.of(LoginResult.Outcome.NOT_MIGRATING);
        }
        Target t = found.get();
        ReentrantLock lock = states.provisioningLock(t.account);
        if (!lock.tryLock(remaining(deadline), TimeUnit.NANOSECONDS)) {
            return LoginResult.of(
                    LoginResult.Outcome.LEGACY_UNREACHABLE,
                    "another login of " + t.account + " was still being checked when the login timed out");
        }
        try {
            AccountState st = states.get(t.account);
            boolean exists;
            try {
                exists = (st != null && st.provisioned()) || mailboxes.exists(t.account);
            } catch (IOException e) {
                log.error("cannot tell whether {} exists locally", t.account, e);
                return LoginResult.of(
                        LoginResult.Outcome.LEGACY_UNREACHABLE,
                        "the new server could not tell whether the account exists: " + e.getMessage());
            }
            if (st != null && !st.provisioned() && exists) {
                st = migrator.adopt(st);
            }
            boolean needsPassword = st != null && st.provisioned() && !st.passwordSet();
            if (exists && !needsPassword) {
                resumeWithPassword(st, t.domain, password);
                return LoginResult.of(LoginResult.Outcome.ACCOUNT_EXISTS);
            }
            LoginResult refused = loginGate.check(t.domain, t.legacyLogin, password, deadline);
            if (refused != null) {
                return refused;
            }
            if (!needsPassword) {
                try {
                    update(t.account, t, s -> s.withProvisioningIntent(true, now()));
                } catch (IOException e) {
                    log.error("cannot save the migration state of {}", t.account, e);
                    return LoginResult.of(
                            LoginResult.Outcome.PROVISIONING_REFUSED,
                            "the new server could not record the migration: " + e.getMessage());
                }
            }
            Optional<String> refusal;
            try {
                refusal = needsPassword
                        ? provisioner.setPassword(t.account, password)
                        : provisioner.provision(t.account, Optional.of(password));
            } catch (IOException e) {
                log.error("provisioning {} failed", t.account, e);
                refusal = Optional.of("the new server could not create the account: " + e.getMessage());
            }
            if (refusal.isPresent()) {
                if (!needsPassword) {
                    String why = refusal.get();
                    states.updateQuietly(t.account, s -> s.withProvisioningRefused(why, now()));
                }
                return LoginResult.of(LoginResult.Outcome.PROVISIONING_REFUSED, refusal.get());
            }
            if (!t.domain.hasMasterCredentials()) {
                passwords.keep(t.account, password);
            }
            try {
                update(t.account, t, s -> s.withProvisioned(true, now()));
            } catch (IOException e) {
                log.error("cannot save the migration state of {}; migrating anyway", t.account, e);
            }
            submit(t.account, t.domain, Priority.LOGIN);
            return LoginResult.of(LoginResult.Outcome.MIGRATION_STARTED);
        } finally {
            lock.unlock();
        }
    }

    /** A login to an existing account whose copy waits for the user's password (after a restart). */
    private void resumeWithPassword(@Nullable AccountState st, DomainSettings d, char[] password) {
        if (st == null || d.hasMasterCredentials() || !st.provisioned()) {
            return;
        }
        boolean unfinished = st.status() == MigrationStatus.PROVISIONED
                || st.status() == MigrationStatus.COPYING
                || st.status() == MigrationStatus.SYNCED;
        // Not checked against the legacy server here: the vendor authenticates the login
        // locally, and a wrong password only makes the background pass fail and retry.
        if (unfinished && passwords.keepIfAbsent(st.account(), password)) {
            if (st.status() != MigrationStatus.SYNCED) {
                submit(st.account(), d, Priority.LOGIN);
            }
        }
    }

    /**
     * Where to deliver mail for {@code recipient}: locally once the local account exists (mail
     * that still reaches the legacy server is picked up by the delta passes), else to the legacy
     * server. A recipient outside the migrating domains is delivered locally.
     */
    public Route route(String recipient) {
        Optional<Target> found = target(recipient);
        if (found.isEmpty()) {
            return Route.local();
        }
        Target t = found.get();
        AccountState st = states.get(t.account);
        if (st != null) {
            return st.deliversLocally() ? Route.local() : Route.relay(t.domain.legacy());
        }
        try {
            return mailboxes.exists(t.account) ? Route.local() : Route.relay(t.domain.legacy());
        } catch (IOException e) {
            // Relaying is the choice that cannot lose mail: a later delta pass brings it over.
            log.warn("cannot tell whether {} exists locally; relaying to the legacy server", t.account, e);
            return Route.relay(t.domain.legacy());
        }
    }

    /**
     * Queues accounts for migration before their users log in, with the domain's master
     * credentials; they run after logins, resumes and delta passes. Accounts already known are
     * left as they are. Returns how many were queued.
     *
     * @throws IllegalArgumentException if an address is outside the enabled domains, or its
     *     domain has no master credentials
     */
    public int prestage(Collection<String> addresses) throws IOException {
        checkState(started.get(), "start() was not called");
        List<Target> targets = new ArrayList<>();
        for (String address : addresses) {
            Target t = target(address)
                    .orElseThrow(() -> new IllegalArgumentException(address + " is not in an enabled domain"));
            checkArgument(
                    t.domain.hasMasterCredentials(),
                    "pre-staging %s needs master credentials for %s",
                    address,
                    t.domain.domain());
            targets.add(t);
        }
        int count = 0;
        for (Target t : targets) {
            AccountState st = states.get(t.account);
            if (st != null && (st.status() != MigrationStatus.NOT_STARTED || st.queued())) {
                continue;
            }
            boolean exists = st == null && mailboxes.exists(t.account);
            if (exists) {
                continue; // a local account made some other way: not ours to fill
            }
            update(t.account, t, s -> s.withQueued(true, now()));
            submit(t.account, t.domain, Priority.BULK);
            count++;
        }
        return count;
    }

    /** The account's state, if it has one. */
    public Optional<AccountState> state(String account) {
        return Optional.ofNullable(states.get(account));
    }

    /** Every account's state, by account name. */
    public ImmutableList<AccountState> states() {
        List<AccountState> all = new ArrayList<>(states.all());
        all.sort((x, y) -> x.account().compareTo(y.account()));
        return ImmutableList.copyOf(all);
    }

    /** The accounts waiting for a migration slot, in the order they will run. */
    public ImmutableList<String> queued() {
        return ImmutableList.copyOf(runner.queued());
    }

    /** Ends an account's migration: no more delta passes. */
    public void markDone(String account) throws IOException {
        AccountState st = states.get(account);
        checkArgument(st != null, "no migration state for %s", account);
        checkArgument(st.provisioned(), "%s has no local account yet", account);
        update(account, s -> s.withStatus(MigrationStatus.DONE, "marked done", now()));
        passwords.forget(account);
    }

    /** Gives a failed account another chance: it goes back where it stood and runs again. */
    public void retry(String account) throws IOException {
        AccountState st = states.get(account);
        checkArgument(st != null, "no migration state for %s", account);
        checkArgument(st.status() == MigrationStatus.FAILED, "%s has not failed but is %s", account, st.status());
        DomainSettings d = domains.get(st.domain());
        checkArgument(d != null && d.enabled(), "the domain of %s is not migrating", account);
        AccountState after = update(account, s -> s.withRetryRequested(now()));
        if (after.status() != MigrationStatus.SYNCED) {
            submit(account, d, Priority.RESUME);
        }
    }

    /**
     * Does the timed work that is due: delta passes of synced accounts, retries whose back-off is
     * over, and marking accounts done once their delta period has passed. Cheap when nothing is due.
     */
    public void tick() throws IOException {
        Instant now = now();
        for (AccountState st : states.all()) {
            DomainSettings d = domains.get(st.domain());
            if (d == null || !d.enabled() || runner.busy(st.account())) {
                continue;
            }
            Instant retryAt = st.nextAttemptAt();
            boolean retryDue = retryAt != null && !now.isBefore(retryAt);
            switch (st.status()) {
                case SYNCED -> {
                    Instant first = st.firstCopyAt();
                    if (first != null && !now.isBefore(first.plus(config.deltaPeriod()))) {
                        update(st.account(), s -> s.withStatus(MigrationStatus.DONE, "delta period over", now));
                        passwords.forget(st.account());
                    } else if (!d.hasMasterCredentials() && !passwords.holds(st.account())) {
                        continue; // after a restart without master credentials: until the user's next login
                    } else if (retryAt != null ? retryDue : deltaDue(st, now)) {
                        submit(st.account(), d, Priority.DELTA);
                    }
                }
                case PROVISIONED, COPYING -> {
                    if (retryDue) {
                        submit(st.account(), d, Priority.RESUME);
                    }
                }
                case NOT_STARTED -> {
                    if (retryDue && st.queued()) {
                        submit(st.account(), d, Priority.BULK);
                    }
                }
                default -> {}
            }
        }
    }

    private boolean deltaDue(AccountState st, Instant now) {
        Instant last = st.lastPassAt();
        return last == null || !now.isBefore(last.plus(config.deltaInterval()));
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (IOException | RuntimeException e) {
            log.error("auto-migration tick failed; the next one tries again", e);
        }
    }

    /** Waits until no migration is queued or running; false if the timeout came first. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return runner.awaitIdle(timeout);
    }

    /**
     * Stops: queued jobs are dropped (their state is saved, so {@link #start()} of the next
     * instance resumes them), running ones are interrupted if the executor is ours, and every
     * password held in memory is cleared.
     */
    @Override
    public void close() {
        closed.set(true);
        ScheduledFuture<?> t = ticker;
        if (t != null) {
            t.cancel(false);
        }
        loginGate.close();
        // The default runner waits (up to a minute) for the jobs on its own pool: a closed
        // instance must not write while the next one starts over the same files.
        runner.shutdown();
        passwords.forgetAll();
    }

    // ---- the background migration of one account

    private void submit(String account, DomainSettings d, Priority priority) {
        runner.submit(new MigrationRunner.Job(account, priority, d.legacy().hostKey(), d.maxConnectionsPerHost()));
    }

    // ---- state

    private AccountState update(String account, UnaryOperator<AccountState> change) throws IOException {
        return update(account, null, change);
    }

    /** Changes, saves and announces an account's state (see {@link AccountStates#update}). */
    private AccountState update(String account, @Nullable Target t, UnaryOperator<AccountState> change)
            throws IOException {
        return states.update(
                account,
                t == null ? null : () -> AccountState.fresh(account, t.domain.domain(), t.legacyLogin, now()),
                change);
    }

    private Instant now() {
        return config.clock().instant();
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** The domain settings and names of a typed address, if its domain migrates. */
    private Optional<Target> target(String address) {
        String typed = address.strip();
        int at = typed.lastIndexOf('@');
        if (at <= 0 || at == typed.length() - 1) {
            return Optional.empty();
        }
        String domain = typed.substring(at + 1).toLowerCase(Locale.ROOT);
        DomainSettings d = domains.get(domain);
        if (d == null || !d.enabled()) {
            return Optional.empty();
        }
        // Addresses are compared without case (RFC 5321 allows a case-sensitive local part, but
        // no mail server a vendor migrates from treats Alice and alice as two people).
        String normalized = typed.toLowerCase(Locale.ROOT);
        return Optional.of(new Target(
                d, d.usernames().legacyLogin(normalized), d.usernames().localAccount(normalized)));
    }

    private record Target(DomainSettings domain, String legacyLogin, String account) {}

    /**
     * Builds an {@link AutoMigration}; every setting can be made once ("clock was already set to
     * ..."), one {@link #domain} call per domain. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable LegacyConnector connector;
        private @Nullable LocalMailboxes mailboxes;
        private @Nullable AccountProvisioner provisioner;
        private @Nullable MigrationStateStore stateStore;
        private @Nullable MigrationCheckpoints checkpoints;
        private final Map<String, DomainSettings> domains = new LinkedHashMap<>();
        private Duration loginTimeout = Duration.ofSeconds(10);
        private int maxConcurrentMigrations = 4;
        private @Nullable ExecutorService executor;
        private @Nullable ExecutorService loginCheckExecutor;
        private @Nullable MigrationRunner runner;
        private @Nullable ScheduledExecutorService scheduler;
        private Duration tickInterval = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private MigrationListener listener = MigrationListener.NONE;
        private FolderMapping folders = FolderMapping.defaults();
        private Duration recentWindow = Duration.ofDays(30);
        private Duration deltaInterval = Duration.ofMinutes(15);
        private Duration deltaPeriod = Duration.ofDays(7);
        private BackoffPolicy retryPolicy = BackoffPolicy.doubling(Duration.ofMinutes(1), 5);
        private int engineParallelism = 1;
        private int engineRetries = 2;
        private Duration engineRetryBackoff = Duration.ofSeconds(2);
        private final Set<String> set = new HashSet<>();

        private Builder() {}

        /** Refuses a second setting in the style of every builder here: "X was already set to V". */
        private void once(String name, @Nullable Object current) {
            checkState(set.add(name), "%s was already set to %s", name, current);
        }

        /** How to reach the legacy server. Required. */
        public Builder connector(LegacyConnector legacyConnector) {
            once("connector", connector);
            connector = legacyConnector;
            return this;
        }

        /** The new server's mailboxes. Required. */
        public Builder mailboxes(LocalMailboxes localMailboxes) {
            once("mailboxes", mailboxes);
            mailboxes = localMailboxes;
            return this;
        }

        /** Creates accounts on the new server. Required. */
        public Builder provisioner(AccountProvisioner accountProvisioner) {
            once("provisioner", provisioner);
            provisioner = accountProvisioner;
            return this;
        }

        /** Where account states are kept. Required (this or {@link #stateDirectory}). */
        public Builder stateStore(MigrationStateStore store) {
            once("stateStore", stateStore);
            stateStore = store;
            return this;
        }

        /** Account states as files in {@code directory}. */
        public Builder stateDirectory(Path directory) throws IOException {
            return stateStore(FileMigrationStateStore.in(directory));
        }

        /** Where each account's checkpoints are kept. Required (this or {@link #checkpointDirectory}). */
        public Builder checkpoints(MigrationCheckpoints perAccount) {
            once("checkpoints", checkpoints);
            checkpoints = perAccount;
            return this;
        }

        /**
         * Checkpoints as files: one directory per account under {@code directory} (named by a hash
         * of the account, which may hold any character), one sub-directory per pass kind.
         */
        public Builder checkpointDirectory(Path directory) {
            return checkpoints((account, pass) -> FileCheckpointStore.in(directory
                    .resolve(com.google.common.hash.Hashing.sha256()
                            .hashString(account, java.nio.charset.StandardCharsets.UTF_8)
                            .toString()
                            .substring(0, 24))
                    .resolve(pass)));
        }

        /** A migrating (or explicitly disabled) domain; one call per domain. */
        public Builder domain(DomainSettings settings) {
            checkState(!domains.containsKey(settings.domain()), "domain %s was already set", settings.domain());
            for (DomainSettings other : domains.values()) {
                checkArgument(
                        !other.legacy().hostKey().equals(settings.legacy().hostKey())
                                || other.maxConnectionsPerHost() == settings.maxConnectionsPerHost(),
                        "domains %s and %s share legacy host %s but give it different connection caps",
                        other.domain(),
                        settings.domain(),
                        settings.legacy().hostKey());
            }
            domains.put(settings.domain(), settings);
            return this;
        }

        /** How long {@link AutoMigration#onLogin} may take at most (the user waits). Default 10 s. */
        public Builder loginTimeout(Duration timeout) {
            once("loginTimeout", loginTimeout);
            checkArgument(
                    timeout.compareTo(Duration.ofMillis(10)) >= 0 && timeout.compareTo(Duration.ofMinutes(5)) <= 0,
                    "login timeout must be 10 ms .. 5 min, not %s",
                    timeout);
            loginTimeout = timeout;
            return this;
        }

        /**
         * Runs the legacy login checks on this executor (shut down by {@link AutoMigration#close}).
         * For tests that need a check to wait before it starts; default: a cached thread pool.
         */
        Builder loginCheckExecutor(ExecutorService checks) {
            once("loginCheckExecutor", loginCheckExecutor);
            loginCheckExecutor = checks;
            return this;
        }

        /** How many accounts migrate at once, over all domains. Default 4. */
        public Builder maxConcurrentMigrations(int accounts) {
            once("maxConcurrentMigrations", maxConcurrentMigrations);
            checkArgument(
                    accounts >= 1 && accounts <= 1000, "max concurrent migrations must be 1..1000, not %s", accounts);
            maxConcurrentMigrations = accounts;
            return this;
        }

        /**
         * Runs migrations on the vendor's executor (which must have at least as many threads as
         * {@link #maxConcurrentMigrations}); default: a pool of our own, shut down by {@link #close()}.
         */
        public Builder executor(ExecutorService migrations) {
            once("executor", executor);
            executor = migrations;
            return this;
        }

        /**
         * Runs the migration jobs with another runner than the in-process default (a cluster
         * scheduler, say); {@link #maxConcurrentMigrations} and {@link #executor} configure the
         * default one and cannot be set with this. Shut down by {@link AutoMigration#close()}.
         */
        public Builder runner(MigrationRunner jobRunner) {
            once("runner", runner);
            runner = jobRunner;
            return this;
        }

        /** Calls {@link AutoMigration#tick()} every {@code interval} on {@code ticks} (default: the vendor calls it). */
        public Builder scheduler(ScheduledExecutorService ticks, Duration interval) {
            once("scheduler", scheduler);
            checkArgument(
                    !interval.isNegative() && !interval.isZero(), "tick interval must be positive, not %s", interval);
            scheduler = ticks;
            tickInterval = interval;
            return this;
        }

        /** The clock for states, back-off and the delta period. Default: the system's, UTC. */
        public Builder clock(Clock migrationClock) {
            once("clock", clock);
            clock = migrationClock;
            return this;
        }

        /** Receives state changes and pass reports. */
        public Builder listener(MigrationListener migrationListener) {
            once("listener", listener);
            listener = migrationListener;
            return this;
        }

        /** Which folders the full pass takes, under which names. Default: all, special-use automapped. */
        public Builder folders(FolderMapping mapping) {
            once("folders", folders);
            folders = mapping;
            return this;
        }

        /** How far back the first, INBOX-only pass reaches. Default 30 days. */
        public Builder recentWindow(Duration window) {
            once("recentWindow", recentWindow);
            checkArgument(!window.isNegative() && !window.isZero(), "recent window must be positive, not %s", window);
            recentWindow = window;
            return this;
        }

        /** How often a synced account gets a delta pass. Default 15 minutes. */
        public Builder deltaInterval(Duration interval) {
            once("deltaInterval", deltaInterval);
            checkArgument(
                    !interval.isNegative() && !interval.isZero(), "delta interval must be positive, not %s", interval);
            deltaInterval = interval;
            return this;
        }

        /** How long after the first full copy delta passes go on; then the account is done. Default 7 days. */
        public Builder deltaPeriod(Duration period) {
            once("deltaPeriod", deltaPeriod);
            checkArgument(!period.isNegative(), "delta period must not be negative, not %s", period);
            deltaPeriod = period;
            return this;
        }

        /**
         * Attempts in a row before an account is parked as failed, and the first back-off, doubling
         * ({@link BackoffPolicy#doubling}). Default 5, 1 min.
         */
        public Builder retries(int attempts, Duration firstBackoff) {
            checkArgument(attempts >= 1 && attempts <= 100, "attempts must be 1..100, not %s", attempts);
            checkArgument(!firstBackoff.isNegative(), "back-off must not be negative, not %s", firstBackoff);
            return retries(BackoffPolicy.doubling(firstBackoff, attempts));
        }

        /**
         * How a failed account is retried: its attempts in a row before it is parked as failed, and
         * the waits between them (jitter spreads the retries of accounts that failed together).
         * Default {@code BackoffPolicy.doubling(1 min, 5)}.
         */
        public Builder retries(BackoffPolicy policy) {
            once("retries", retryPolicy);
            retryPolicy = policy;
            return this;
        }

        /**
         * Inside one pass: folders synced in parallel (each may be a connection to the legacy
         * host) and the engine's own retries of a folder after a dropped connection. Default 1; 2, 2 s.
         */
        public Builder engine(int parallelism, int retries, Duration firstBackoff) {
            once(
                    "engine",
                    engineParallelism + " folders at once, " + engineRetries + " retries, first back-off "
                            + engineRetryBackoff);
            checkArgument(parallelism >= 1 && parallelism <= 64, "parallelism must be 1..64, not %s", parallelism);
            checkArgument(retries >= 0, "retries must not be negative, not %s", retries);
            checkArgument(!firstBackoff.isNegative(), "back-off must not be negative, not %s", firstBackoff);
            engineParallelism = parallelism;
            engineRetries = retries;
            engineRetryBackoff = firstBackoff;
            return this;
        }

        /**
         * Builds the service (not started: call {@link AutoMigration#start()}) from a copy of the
         * settings made so far; this builder may go on to build others.
         */
        public AutoMigration build() {
            return new AutoMigration(config());
        }

        /** The configuration as set so far, checked and copied (build() and tests). */
        MigrationConfig config() {
            checkState(connector != null, "connector must be set");
            checkState(mailboxes != null, "mailboxes must be set");
            checkState(provisioner != null, "provisioner must be set");
            checkState(stateStore != null, "stateStore must be set (stateStore(...) or stateDirectory(...))");
            checkState(checkpoints != null, "checkpoints must be set (checkpoints(...) or checkpointDirectory(...))");
            checkState(!domains.isEmpty(), "at least one domain must be set");
            checkState(
                    runner == null || (executor == null && !set.contains("maxConcurrentMigrations")),
                    "maxConcurrentMigrations and executor configure the default runner: not with runner(...)");
            // Copied once: the built service never reads this builder again.
            return new MigrationConfig(
                    connector,
                    mailboxes,
                    provisioner,
                    stateStore,
                    checkpoints,
                    ImmutableMap.copyOf(domains),
                    loginTimeout,
                    maxConcurrentMigrations,
                    executor,
                    loginCheckExecutor,
                    runner,
                    scheduler,
                    tickInterval,
                    clock,
                    listener,
                    folders,
                    recentWindow,
                    deltaInterval,
                    deltaPeriod,
                    retryPolicy,
                    engineParallelism,
                    engineRetries,
                    engineRetryBackoff);
        }
    }
}
