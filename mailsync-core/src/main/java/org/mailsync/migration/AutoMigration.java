package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderMapping;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.SyncEngine;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.migration.spi.MigrationCheckpoints;
import org.mailsync.migration.spi.MigrationStateStore;
import org.mailsync.spi.MailStore;
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
 * <p>Thread-safe. Never logs or stores a user's password; without master credentials it keeps a
 * copy in memory only, for the account's own passes, until the account is done or failed.
 */
public final class AutoMigration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AutoMigration.class);

    static final String RECENT_PASS = "inbox-recent";
    static final String FULL_PASS = "all";

    private final Builder b;
    private final LegacyConnector connector;
    private final LocalMailboxes mailboxes;
    private final AccountProvisioner provisioner;
    private final MigrationStateStore stateStore;
    private final MigrationCheckpoints checkpoints;
    private final ImmutableMap<String, DomainSettings> domains;
    private final Map<String, AccountState> states = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> accountLocks = new ConcurrentHashMap<>();
    private final Map<String, char[]> userPasswords = new ConcurrentHashMap<>();
    private final ExecutorService migrationExecutor;
    private final boolean ownsMigrationExecutor;
    private final ExecutorService loginChecks;
    private final JobQueue queue;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable ScheduledFuture<?> ticker;

    private AutoMigration(
            Builder b,
            LegacyConnector connector,
            LocalMailboxes mailboxes,
            AccountProvisioner provisioner,
            MigrationStateStore stateStore,
            MigrationCheckpoints checkpoints) {
        this.b = b;
        this.connector = connector;
        this.mailboxes = mailboxes;
        this.provisioner = provisioner;
        this.stateStore = stateStore;
        this.checkpoints = checkpoints;
        this.domains = ImmutableMap.copyOf(b.domains);
        AtomicInteger threads = new AtomicInteger();
        if (b.executor != null) {
            this.migrationExecutor = b.executor;
            this.ownsMigrationExecutor = false;
        } else {
            this.migrationExecutor = Executors.newFixedThreadPool(b.maxConcurrentMigrations, r -> {
                Thread t = new Thread(r, "mailsync-migration-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.ownsMigrationExecutor = true;
        }
        this.loginChecks = b.loginCheckExecutor != null
                ? b.loginCheckExecutor
                : Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "mailsync-login-check-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.queue = new JobQueue(b.maxConcurrentMigrations, migrationExecutor, this::migrate);
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
        for (AccountState st : stateStore.loadAll()) {
            states.put(st.account(), st);
        }
        for (AccountState saved : List.copyOf(states.values())) {
            DomainSettings d = domains.get(saved.domain());
            if (d == null || !d.enabled()) {
                continue;
            }
            AccountState st = saved;
            if (!st.provisioned() && st.status() != MigrationStatus.FAILED && mailboxes.exists(st.account())) {
                st = adopt(st);
            }
            if (st.nextAttemptAt() != null) {
                continue; // retries wait for their time in tick()
            }
            switch (st.status()) {
                case NOT_STARTED -> {
                    if (st.queued()) {
                        queue.submit(st.account(), d, JobQueue.Kind.BULK);
                    }
                }
                case PROVISIONED, COPYING -> {
                    if (d.hasMasterCredentials()) {
                        queue.submit(st.account(), d, JobQueue.Kind.RESUME);
                    } else {
                        update(st.account(), s -> s.withStatus(s.status(), WAITING_FOR_LOGIN, now()));
                    }
                }
                default -> {}
            }
        }
        if (b.scheduler != null) {
            ticker = b.scheduler.scheduleWithFixedDelay(
                    this::tickQuietly, b.tickInterval.toMillis(), b.tickInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static final String WAITING_FOR_LOGIN =
            "waiting for the user's next login: without master credentials the copy needs the user's password";

    /**
     * A login to the new server: answers within the login timeout (the legacy check and the wait
     * for a legacy session are bounded by it; the vendor's own provisioner, called after a
     * successful check, is not). See {@link LoginResult.Outcome} for what each answer asks of the
     * vendor. The password array stays the caller's.
     */
    public LoginResult onLogin(String user, char[] password) throws InterruptedException {
        checkState(started.get(), "start() was not called");
        long deadline = System.nanoTime() + b.loginTimeout.toNanos();
        Optional<Target> found = target(user);
        if (found.isEmpty()) {
            return LoginResult.of(LoginResult.Outcome.NOT_MIGRATING);
        }
        Target t = found.get();
        ReentrantLock lock = accountLocks.computeIfAbsent(t.account, a -> new ReentrantLock());
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
                st = adopt(st);
            }
            boolean needsPassword = st != null && st.provisioned() && !st.passwordSet();
            if (exists && !needsPassword) {
                resumeWithPassword(st, t.domain, password);
                return LoginResult.of(LoginResult.Outcome.ACCOUNT_EXISTS);
            }
            LoginResult refused = checkLegacy(t, password, deadline);
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
                    updateQuietly(t.account, s -> s.withProvisioningRefused(why, now()));
                }
                return LoginResult.of(LoginResult.Outcome.PROVISIONING_REFUSED, refusal.get());
            }
            if (!t.domain.hasMasterCredentials()) {
                userPasswords.put(t.account, password.clone());
            }
            try {
                update(t.account, t, s -> s.withProvisioned(true, now()));
            } catch (IOException e) {
                log.error("cannot save the migration state of {}; migrating anyway", t.account, e);
            }
            queue.submit(t.account, t.domain, JobQueue.Kind.LOGIN);
            return LoginResult.of(LoginResult.Outcome.MIGRATION_STARTED);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A local account exists for a state that says "not provisioned": the process died between
     * the provisioner creating it and the record of that. The account is ours; take it as
     * provisioned, with a password if the provisioning under way had one.
     */
    private AccountState adopt(AccountState st) {
        log.warn(
                "{} exists locally but its provisioning was not recorded (a crash?); taking it as provisioned",
                st.account());
        try {
            return update(st.account(), s -> s.withProvisioned(s.passwordSet(), now()));
        } catch (IOException e) {
            log.error("cannot save the migration state of {}", st.account(), e);
            return states.get(st.account());
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
        if (unfinished && !userPasswords.containsKey(st.account())) {
            // Not checked against the legacy server here: the vendor authenticates the login
            // locally, and a wrong password only makes the background pass fail and retry.
            userPasswords.put(st.account(), password.clone());
            if (st.status() != MigrationStatus.SYNCED) {
                queue.submit(st.account(), d, JobQueue.Kind.LOGIN);
            }
        }
    }

    /** Null if the legacy server accepted the password, else the answer to give. */
    private @Nullable LoginResult checkLegacy(Target t, char[] password, long deadline) throws InterruptedException {
        LegacyEndpoint legacy = t.domain.legacy();
        String host = legacy.hostKey();
        if (!queue.acquireLoginSession(host, t.domain.maxConnectionsPerHost(), deadline)) {
            return LoginResult.of(
                    LoginResult.Outcome.LEGACY_UNREACHABLE,
                    "all " + t.domain.maxConnectionsPerHost() + " sessions to " + legacy
                            + " were busy until the login timed out");
        }
        LoginSlot slot = new LoginSlot(host, password.clone());
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<Void> check;
        try {
            check = loginChecks.submit(() -> {
                if (!slot.start()) {
                    return null; // given up before it started; the caller released the slot
                }
                try (MailStore store = connector.open(legacy, t.legacyLogin, slot.password)) {
                    // Opening is the login; nothing more to ask of the server.
                    log.debug(
                            "{} accepted the login{}",
                            store.account(),
                            abandoned.get() ? ", but after the login timed out" : "");
                } finally {
                    slot.release();
                }
                return null;
            });
        } catch (RuntimeException e) {
            slot.abandon();
            throw e;
        }
        try {
            check.get(remaining(deadline), TimeUnit.NANOSECONDS);
            return null;
        } catch (TimeoutException e) {
            abandoned.set(true);
            check.cancel(true);
            // A task cancelled before it started never runs its finally: release here then.
            slot.abandon();
            return LoginResult.of(
                    LoginResult.Outcome.LEGACY_UNREACHABLE,
                    legacy + " did not answer within " + b.loginTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException) {
                return LoginResult.of(
                        LoginResult.Outcome.LEGACY_REFUSED, "the legacy server refused the login of " + t.legacyLogin);
            }
            if (cause instanceof MailStoreException) {
                return LoginResult.of(LoginResult.Outcome.LEGACY_UNREACHABLE, cause.getMessage());
            }
            log.error("legacy login check of {} failed unexpectedly", t.legacyLogin, cause);
            return LoginResult.of(LoginResult.Outcome.LEGACY_UNREACHABLE, "the legacy login check failed: " + cause);
        } catch (InterruptedException e) {
            check.cancel(true);
            slot.abandon();
            throw e;
        }
    }

    /**
     * A legacy session slot taken for one login check, and the password copy it uses: released
     * exactly once, by the check when it started (in its finally), or by the caller when the
     * check never started (cancelled by the timeout while still queued, or refused by the
     * executor).
     */
    private final class LoginSlot {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int RELEASED = 2;

        final String host;
        final char[] password;
        private final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();

        LoginSlot(String host, char[] password) {
            this.host = host;
            this.password = password;
        }

        /** The check begins; false if the caller gave up on it first. */
        boolean start() {
            return state.compareAndSet(WAITING, RUNNING);
        }

        /** The caller gives up: releases now unless the check is running (it releases then). */
        void abandon() {
            if (state.compareAndSet(WAITING, RELEASED)) {
                free();
            }
        }

        /** The check is over. */
        void release() {
            if (state.compareAndSet(RUNNING, RELEASED)) {
                free();
            }
        }

        private void free() {
            Arrays.fill(password, '\0');
            queue.releaseLoginSession(host);
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
            queue.submit(t.account, t.domain, JobQueue.Kind.BULK);
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
        List<AccountState> all = new ArrayList<>(states.values());
        all.sort((x, y) -> x.account().compareTo(y.account()));
        return ImmutableList.copyOf(all);
    }

    /** The accounts waiting for a migration slot, in the order they will run. */
    public ImmutableList<String> queued() {
        return ImmutableList.copyOf(queue.queuedAccounts());
    }

    /** Ends an account's migration: no more delta passes. */
    public void markDone(String account) throws IOException {
        AccountState st = states.get(account);
        checkArgument(st != null, "no migration state for %s", account);
        checkArgument(st.provisioned(), "%s has no local account yet", account);
        update(account, s -> s.withStatus(MigrationStatus.DONE, "marked done", now()));
        forgetPassword(account);
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
            queue.submit(account, d, JobQueue.Kind.RESUME);
        }
    }

    /**
     * Does the timed work that is due: delta passes of synced accounts, retries whose back-off is
     * over, and marking accounts done once their delta period has passed. Cheap when nothing is due.
     */
    public void tick() throws IOException {
        Instant now = now();
        for (AccountState st : states.values()) {
            DomainSettings d = domains.get(st.domain());
            if (d == null || !d.enabled() || queue.busy(st.account())) {
                continue;
            }
            Instant retryAt = st.nextAttemptAt();
            boolean retryDue = retryAt != null && !now.isBefore(retryAt);
            switch (st.status()) {
                case SYNCED -> {
                    Instant first = st.firstCopyAt();
                    if (first != null && !now.isBefore(first.plus(b.deltaPeriod))) {
                        update(st.account(), s -> s.withStatus(MigrationStatus.DONE, "delta period over", now));
                        forgetPassword(st.account());
                    } else if (!d.hasMasterCredentials() && !userPasswords.containsKey(st.account())) {
                        continue; // after a restart without master credentials: until the user's next login
                    } else if (retryAt != null ? retryDue : deltaDue(st, now)) {
                        queue.submit(st.account(), d, JobQueue.Kind.DELTA);
                    }
                }
                case PROVISIONED, COPYING -> {
                    if (retryDue) {
                        queue.submit(st.account(), d, JobQueue.Kind.RESUME);
                    }
                }
                case NOT_STARTED -> {
                    if (retryDue && st.queued()) {
                        queue.submit(st.account(), d, JobQueue.Kind.BULK);
                    }
                }
                default -> {}
            }
        }
    }

    private boolean deltaDue(AccountState st, Instant now) {
        Instant last = st.lastPassAt();
        return last == null || !now.isBefore(last.plus(b.deltaInterval));
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
        return queue.awaitIdle(timeout);
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
        queue.close();
        loginChecks.shutdownNow();
        if (ownsMigrationExecutor) {
            migrationExecutor.shutdownNow();
            try {
                // A closed instance must not write while the next one starts over the same files.
                if (!migrationExecutor.awaitTermination(1, TimeUnit.MINUTES)) {
                    log.error("migrations did not stop within a minute of close()");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String account : new HashSet<>(userPasswords.keySet())) {
            forgetPassword(account);
        }
    }

    // ---- the background migration of one account

    private void migrate(JobQueue.Job job) {
        String account = job.account();
        DomainSettings d = job.domain();
        AccountState st = states.get(account);
        if (st == null || st.status() == MigrationStatus.DONE || st.status() == MigrationStatus.FAILED) {
            return;
        }
        FailureCapture capture = new FailureCapture();
        MailStore legacy = null;
        MailStore local = null;
        try {
            legacy = openLegacy(d, st);
            if (legacy == null) {
                update(account, s -> s.withStatus(s.status(), WAITING_FOR_LOGIN, now()));
                return;
            }
            if (!st.provisioned()) {
                st = provisionWithoutPassword(account);
                if (st == null) {
                    return;
                }
            }
            if (st.status() == MigrationStatus.PROVISIONED) {
                st = update(account, s -> s.withStatus(MigrationStatus.COPYING, "", now()));
            }
            local = mailboxes.open(account);
            if (!st.recentPassDone() && st.firstCopyAt() == null) {
                // INBOX first, and in it the recent mail: what the user looks at right after login.
                SyncReport recent = pass(
                        account,
                        RECENT_PASS,
                        legacy,
                        local,
                        FolderMapping.builder().include("INBOX").build(),
                        MessageSelection.builder()
                                .internalDateRange(now().minus(b.recentWindow), null)
                                .build(),
                        capture);
                if (recent.verdict() == SyncReport.Verdict.FAILED) {
                    failed(account, d, reasonOf(recent), capture);
                    return;
                }
                st = update(account, s -> s.withRecentPassDone(recent.copied(), now()));
            }
            SyncReport full = pass(account, FULL_PASS, legacy, local, b.folders, MessageSelection.all(), capture);
            if (full.verdict() == SyncReport.Verdict.FAILED) {
                failed(account, d, reasonOf(full), capture);
                return;
            }
            String note = full.verdict() == SyncReport.Verdict.COMPLETE_WITH_SKIPS
                    ? full.failed() + " messages could not be copied (see the pass report)"
                    : "";
            update(account, s -> s.withPassCompleted(full.copied(), note, now()));
        } catch (AuthenticationException e) {
            park(account, e.getMessage());
        } catch (ConnectionException e) {
            retryLater(account, d, e.getMessage(), e.retryAfter().orElse(null));
        } catch (MailStoreException e) {
            retryLater(account, d, e.getMessage(), null);
        } catch (IOException e) {
            retryLater(account, d, "the new server failed: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            // Shutting down: the saved state and the checkpoints let the next start resume.
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (closed.get()) {
                // Torn down in the middle: as after a kill, the next start resumes from the files.
                log.info("migration of {} stopped by close(): {}", account, e.toString());
                return;
            }
            log.error("migration of {} failed unexpectedly", account, e);
            retryLater(account, d, "unexpected failure: " + e, null);
        } finally {
            closeQuietly(legacy);
            closeQuietly(local);
        }
    }

    private @Nullable MailStore openLegacy(DomainSettings d, AccountState st) throws MailStoreException {
        if (d.hasMasterCredentials()) {
            char[] master = d.masterPassword();
            try {
                return connector.openAsMaster(
                        d.legacy(), st.legacyLogin(), d.masterLogin().orElseThrow(), master);
            } finally {
                Arrays.fill(master, '\0');
            }
        }
        char[] password = userPasswords.get(st.account());
        if (password == null) {
            return null;
        }
        char[] copy = password.clone();
        try {
            return connector.open(d.legacy(), st.legacyLogin(), copy);
        } finally {
            Arrays.fill(copy, '\0');
        }
    }

    /** Pre-staging: the account is created without a password; its user sets it by logging in. */
    private @Nullable AccountState provisionWithoutPassword(String account) throws IOException {
        ReentrantLock lock = accountLocks.computeIfAbsent(account, a -> new ReentrantLock());
        lock.lock();
        try {
            AccountState st = states.get(account);
            if (st != null && st.provisioned()) {
                return st; // a login provisioned it meanwhile
            }
            if (st != null && mailboxes.exists(account)) {
                return adopt(st); // provisioned before a crash that kept us from recording it
            }
            update(account, s -> s.withProvisioningIntent(false, now()));
            Optional<String> refusal = provisioner.provision(account, Optional.empty());
            if (refusal.isPresent()) {
                park(account, "the provisioner refused the account: " + refusal.get());
                return null;
            }
            return update(account, s -> s.withProvisioned(false, now()));
        } finally {
            lock.unlock();
        }
    }

    private SyncReport pass(
            String account,
            String kind,
            MailStore legacy,
            MailStore local,
            FolderMapping folders,
            MessageSelection selection,
            FailureCapture capture)
            throws IOException, InterruptedException {
        SyncReport report = SyncEngine.builder()
                .source(legacy)
                .target(local)
                .checkpoints(checkpoints.forAccount(account, kind))
                .folders(folders)
                .selection(selection)
                .parallelism(b.engineParallelism)
                .retries(b.engineRetries, b.engineRetryBackoff)
                .listener(capture)
                .clock(b.clock)
                .build()
                .run();
        b.listener.passFinished(account, kind, report);
        return report;
    }

    private static String reasonOf(SyncReport report) {
        if (report.accountError() != null) {
            return report.accountError();
        }
        for (FolderReport f : report.folders()) {
            if (f.error() != null) {
                return f.error();
            }
        }
        return "the pass failed";
    }

    private void failed(String account, DomainSettings d, String reason, FailureCapture capture) {
        MailStoreException first = capture.first.get();
        if (first instanceof AuthenticationException) {
            park(account, reason);
        } else if (first instanceof ConnectionException ce) {
            retryLater(account, d, reason, ce.retryAfter().orElse(null));
        } else {
            retryLater(account, d, reason, null);
        }
    }

    /** Back-off doubling per failed attempt (the server's own wish if longer), or parked when attempts run out. */
    private void retryLater(String account, DomainSettings d, String reason, @Nullable Duration serverWish) {
        AccountState st = states.get(account);
        if (st == null || closed.get()) {
            return; // after close(), the saved state stands and the next start resumes from it
        }
        int attempt = st.attempts() + 1;
        if (attempt >= b.maxAttempts) {
            park(account, "gave up after " + attempt + " attempts: " + reason);
            return;
        }
        Duration wait = b.retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
        if (serverWish != null && serverWish.compareTo(wait) > 0) {
            wait = serverWish;
        }
        Instant at = now().plus(wait);
        log.warn(
                "migration of {} from {} failed (attempt {}): {}; retrying at {}",
                account,
                d.legacy(),
                attempt,
                reason,
                at);
        updateQuietly(account, s -> s.withFailure(reason, at, now()));
    }

    private void park(String account, String reason) {
        if (closed.get()) {
            return;
        }
        log.error("migration of {} parked as failed: {}", account, reason);
        updateQuietly(account, s -> s.withFailure(reason, null, now()));
        forgetPassword(account);
    }

    private void forgetPassword(String account) {
        char[] old = userPasswords.remove(account);
        if (old != null) {
            Arrays.fill(old, '\0');
        }
    }

    // ---- state

    private AccountState update(String account, UnaryOperator<AccountState> change) throws IOException {
        return update(account, null, change);
    }

    /** Changes, saves and announces an account's state; one account's updates never interleave. */
    private AccountState update(String account, @Nullable Target t, UnaryOperator<AccountState> change)
            throws IOException {
        ReentrantLock lock = accountLocks.computeIfAbsent(account, a -> new ReentrantLock());
        lock.lock();
        try {
            AccountState before = states.get(account);
            if (before == null) {
                checkState(t != null, "no migration state for %s", account);
                before = AccountState.fresh(account, t.domain.domain(), t.legacyLogin, now());
            }
            AccountState after = change.apply(before);
            // Kept in memory even if saving fails, so this process goes on consistently; the
            // caller hears of the failure (a restart then resumes from the last saved state).
            states.put(account, after);
            stateStore.save(after);
            b.listener.stateChanged(before, after);
            return after;
        } finally {
            lock.unlock();
        }
    }

    private void updateQuietly(String account, UnaryOperator<AccountState> change) {
        try {
            update(account, change);
        } catch (IOException | RuntimeException e) {
            log.error("cannot save the migration state of {}", account, e);
        }
    }

    private Instant now() {
        return b.clock.instant();
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static void closeQuietly(@Nullable MailStore store) {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (MailStoreException | RuntimeException e) {
            log.debug("closing {} failed", store.account(), e);
        }
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

    /** Remembers the first account-level failure of a pass, to tell "retry" from "stop". */
    private static final class FailureCapture implements SyncListener {
        final AtomicReference<@Nullable MailStoreException> first = new AtomicReference<>();

        @Override
        public void error(MailStoreException error) {
            if (error instanceof AuthenticationException || error instanceof ConnectionException) {
                first.compareAndSet(null, error);
            }
        }
    }

    /** Builds an {@link AutoMigration}; every setting can be made once. Not thread-safe. */
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
        private @Nullable ScheduledExecutorService scheduler;
        private Duration tickInterval = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private MigrationListener listener = MigrationListener.NONE;
        private FolderMapping folders = FolderMapping.defaults();
        private Duration recentWindow = Duration.ofDays(30);
        private Duration deltaInterval = Duration.ofMinutes(15);
        private Duration deltaPeriod = Duration.ofDays(7);
        private int maxAttempts = 5;
        private Duration retryBackoff = Duration.ofMinutes(1);
        private int engineParallelism = 1;
        private int engineRetries = 2;
        private Duration engineRetryBackoff = Duration.ofSeconds(2);
        private final Set<String> set = new HashSet<>();

        private Builder() {}

        private void once(String name) {
            checkState(set.add(name), "%s was already set", name);
        }

        /** How to reach the legacy server. Required. */
        public Builder connector(LegacyConnector legacyConnector) {
            once("connector");
            connector = legacyConnector;
            return this;
        }

        /** The new server's mailboxes. Required. */
        public Builder mailboxes(LocalMailboxes localMailboxes) {
            once("mailboxes");
            mailboxes = localMailboxes;
            return this;
        }

        /** Creates accounts on the new server. Required. */
        public Builder provisioner(AccountProvisioner accountProvisioner) {
            once("provisioner");
            provisioner = accountProvisioner;
            return this;
        }

        /** Where account states are kept. Required (this or {@link #stateDirectory}). */
        public Builder stateStore(MigrationStateStore store) {
            once("stateStore");
            stateStore = store;
            return this;
        }

        /** Account states as files in {@code directory}. */
        public Builder stateDirectory(Path directory) throws IOException {
            return stateStore(FileMigrationStateStore.in(directory));
        }

        /** Where each account's checkpoints are kept. Required (this or {@link #checkpointDirectory}). */
        public Builder checkpoints(MigrationCheckpoints perAccount) {
            once("checkpoints");
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
            once("loginTimeout");
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
            once("loginCheckExecutor");
            loginCheckExecutor = checks;
            return this;
        }

        /** How many accounts migrate at once, over all domains. Default 4. */
        public Builder maxConcurrentMigrations(int accounts) {
            once("maxConcurrentMigrations");
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
            once("executor");
            executor = migrations;
            return this;
        }

        /** Calls {@link AutoMigration#tick()} every {@code interval} on {@code ticks} (default: the vendor calls it). */
        public Builder scheduler(ScheduledExecutorService ticks, Duration interval) {
            once("scheduler");
            checkArgument(
                    !interval.isNegative() && !interval.isZero(), "tick interval must be positive, not %s", interval);
            scheduler = ticks;
            tickInterval = interval;
            return this;
        }

        /** The clock for states, back-off and the delta period. Default: the system's, UTC. */
        public Builder clock(Clock migrationClock) {
            once("clock");
            clock = migrationClock;
            return this;
        }

        /** Receives state changes and pass reports. */
        public Builder listener(MigrationListener migrationListener) {
            once("listener");
            listener = migrationListener;
            return this;
        }

        /** Which folders the full pass takes, under which names. Default: all, special-use automapped. */
        public Builder folders(FolderMapping mapping) {
            once("folders");
            folders = mapping;
            return this;
        }

        /** How far back the first, INBOX-only pass reaches. Default 30 days. */
        public Builder recentWindow(Duration window) {
            once("recentWindow");
            checkArgument(!window.isNegative() && !window.isZero(), "recent window must be positive, not %s", window);
            recentWindow = window;
            return this;
        }

        /** How often a synced account gets a delta pass. Default 15 minutes. */
        public Builder deltaInterval(Duration interval) {
            once("deltaInterval");
            checkArgument(
                    !interval.isNegative() && !interval.isZero(), "delta interval must be positive, not %s", interval);
            deltaInterval = interval;
            return this;
        }

        /** How long after the first full copy delta passes go on; then the account is done. Default 7 days. */
        public Builder deltaPeriod(Duration period) {
            once("deltaPeriod");
            checkArgument(!period.isNegative(), "delta period must not be negative, not %s", period);
            deltaPeriod = period;
            return this;
        }

        /** Attempts in a row before an account is parked as failed, and the first back-off (doubling). Default 5, 1 min. */
        public Builder retries(int attempts, Duration firstBackoff) {
            once("retries");
            checkArgument(attempts >= 1 && attempts <= 100, "attempts must be 1..100, not %s", attempts);
            checkArgument(!firstBackoff.isNegative(), "back-off must not be negative, not %s", firstBackoff);
            maxAttempts = attempts;
            retryBackoff = firstBackoff;
            return this;
        }

        /**
         * Inside one pass: folders synced in parallel (each may be a connection to the legacy
         * host) and the engine's own retries of a folder after a dropped connection. Default 1; 2, 2 s.
         */
        public Builder engine(int parallelism, int retries, Duration firstBackoff) {
            once("engine");
            checkArgument(parallelism >= 1 && parallelism <= 64, "parallelism must be 1..64, not %s", parallelism);
            checkArgument(retries >= 0, "retries must not be negative, not %s", retries);
            checkArgument(!firstBackoff.isNegative(), "back-off must not be negative, not %s", firstBackoff);
            engineParallelism = parallelism;
            engineRetries = retries;
            engineRetryBackoff = firstBackoff;
            return this;
        }

        /** Builds the service (not started: call {@link AutoMigration#start()}). */
        public AutoMigration build() {
            checkState(connector != null, "connector must be set");
            checkState(mailboxes != null, "mailboxes must be set");
            checkState(provisioner != null, "provisioner must be set");
            checkState(stateStore != null, "stateStore must be set (stateStore(...) or stateDirectory(...))");
            checkState(checkpoints != null, "checkpoints must be set (checkpoints(...) or checkpointDirectory(...))");
            checkState(!domains.isEmpty(), "at least one domain must be set");
            return new AutoMigration(this, connector, mailboxes, provisioner, stateStore, checkpoints);
        }
    }
}
