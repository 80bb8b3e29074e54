package org.mailsync.migration;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.FolderMapping;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.SyncEngine;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.migration.spi.MigrationRunner;
import org.mailsync.spi.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account's migration job, as a {@link MigrationRunner} runs it: opens the legacy mailbox
 * (with master credentials, or the user's password from the {@link PasswordHolder}), provisions a
 * pre-staged account without a password, runs the INBOX-recent pass and the full (or delta) pass
 * as checkpointed {@link SyncEngine} runs, and records what came of it: SYNCED, a retry at the time
 * the retry policy says, or parked as FAILED.
 *
 * <p>Thread-safe: jobs of different accounts run at once; a runner never runs two of one account.
 */
final class AccountMigrator {
    private static final Logger log = LoggerFactory.getLogger(AccountMigrator.class);

    static final String RECENT_PASS = "inbox-recent";
    static final String FULL_PASS = "all";
    static final String WAITING_FOR_LOGIN =
            "waiting for the user's next login: without master credentials the copy needs the user's password";

    private final MigrationConfig config;
    private final AccountStates states;
    private final PasswordHolder passwords;
    private final BooleanSupplier closing;

    /** @param closing whether the service is closing: a job torn down then leaves its state as it is */
    AccountMigrator(MigrationConfig config, AccountStates states, PasswordHolder passwords, BooleanSupplier closing) {
        this.config = config;
        this.states = states;
        this.passwords = passwords;
        this.closing = closing;
    }

    /** Runs one account's job: the passes that are due, then the state they leave. Never throws. */
    void run(MigrationRunner.Job job) {
        String account = job.account();
        AccountState st = states.get(account);
        if (st == null || st.status() == MigrationStatus.DONE || st.status() == MigrationStatus.FAILED) {
            return;
        }
        DomainSettings d = config.domains().get(st.domain());
        if (d == null || !d.enabled()) {
            return; // a job a runner kept from a configuration that migrated this domain
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
            local = config.mailboxes().open(account);
            if (!st.recentPassDone() && st.firstCopyAt() == null) {
                // INBOX first, and in it the recent mail: what the user looks at right after login.
                SyncReport recent = pass(
                        account,
                        RECENT_PASS,
                        legacy,
                        local,
                        FolderMapping.builder().include("INBOX").build(),
                        MessageSelection.builder()
                                .internalDateRange(now().minus(config.recentWindow()), null)
                                .build(),
                        capture);
                if (recent.verdict() == SyncReport.Verdict.FAILED) {
                    failed(account, d, reasonOf(recent), capture);
                    return;
                }
                st = update(account, s -> s.withRecentPassDone(recent.copied(), now()));
            }
            SyncReport full =
                    pass(account, FULL_PASS, legacy, local, config.folders(), MessageSelection.all(), capture);
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
            if (closing.getAsBoolean()) {
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
                return config.connector()
                        .openAsMaster(
                                d.legacy(), st.legacyLogin(), d.masterLogin().orElseThrow(), master);
            } finally {
                Arrays.fill(master, '\0');
            }
        }
        return passwords.withCopy(
                st.account(), password -> config.connector().open(d.legacy(), st.legacyLogin(), password));
    }

    /** Pre-staging: the account is created without a password; its user sets it by logging in. */
    private @Nullable AccountState provisionWithoutPassword(String account) throws IOException {
        ReentrantLock lock = states.provisioningLock(account);
        lock.lock();
        try {
            AccountState st = states.get(account);
            if (st != null && st.provisioned()) {
                return st; // a login provisioned it meanwhile
            }
            if (st != null && config.mailboxes().exists(account)) {
                return adopt(st); // provisioned before a crash that kept us from recording it
            }
            update(account, s -> s.withProvisioningIntent(false, now()));
            Optional<String> refusal = config.provisioner().provision(account, Optional.empty());
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
                .checkpoints(config.checkpoints().forAccount(account, kind))
                .folders(folders)
                .selection(selection)
                .parallelism(config.engineParallelism())
                .retries(config.engineRetries(), config.engineRetryBackoff())
                .listener(capture)
                .clock(config.clock())
                .build()
                .run();
        config.listener().passFinished(account, kind, report);
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

    /** The next attempt as the retry policy says (the server's own wish if longer), or parked when attempts run out. */
    private void retryLater(String account, DomainSettings d, String reason, @Nullable Duration serverWish) {
        AccountState st = states.get(account);
        if (st == null || closing.getAsBoolean()) {
            return; // after close(), the saved state stands and the next start resumes from it
        }
        int attempt = st.attempts() + 1;
        Optional<Duration> wait = config.retryPolicy().nextDelay(attempt, serverWish, now(), null);
        if (wait.isEmpty()) {
            park(account, "gave up after " + attempt + " attempts: " + reason);
            return;
        }
        Instant at = now().plus(wait.get());
        log.warn(
                "migration of {} from {} failed (attempt {}): {}; retrying at {}",
                account,
                d.legacy(),
                attempt,
                reason,
                at);
        states.updateQuietly(account, s -> s.withFailure(reason, at, now()));
    }

    private void park(String account, String reason) {
        if (closing.getAsBoolean()) {
            return;
        }
        log.error("migration of {} parked as failed: {}", account, reason);
        states.updateQuietly(account, s -> s.withFailure(reason, null, now()));
        passwords.forget(account);
    }

    /**
     * A local account exists for a state that says "not provisioned": the process died between
     * the provisioner creating it and the record of that. The account is ours; take it as
     * provisioned, with a password if the provisioning under way had one.
     */
    @Nullable
    AccountState adopt(AccountState st) {
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

    private AccountState update(String account, UnaryOperator<AccountState> change) throws IOException {
        return states.update(account, null, change);
    }

    private Instant now() {
        return config.clock().instant();
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
}
