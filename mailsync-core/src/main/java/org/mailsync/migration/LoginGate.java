package org.mailsync.migration;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.MailStoreException;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.spi.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate a first login passes: the legacy server checks the password, within the login's
 * deadline, on a session of the host's own count ({@link LegacySessions}). The session is taken
 * and given back here only: taken before the check, given back exactly once by its {@link
 * LoginSlot}, whether the check ran, timed out while it waited for a thread, or was refused by the
 * executor. The check runs on an executor of its own, so a legacy server that hangs costs the user
 * the login timeout and no more.
 *
 * <p>Thread-safe.
 */
final class LoginGate {
    private static final Logger log = LoggerFactory.getLogger(LoginGate.class);

    private final LegacyConnector connector;
    private final LegacySessions sessions;
    private final ExecutorService checks;
    private final Duration loginTimeout;

    LoginGate(LegacyConnector connector, LegacySessions sessions, ExecutorService checks, Duration loginTimeout) {
        this.connector = connector;
        this.sessions = sessions;
        this.checks = checks;
        this.loginTimeout = loginTimeout;
    }

    /**
     * Checks {@code password} against the legacy server within the deadline (a {@link
     * System#nanoTime()} value): null if the server accepted it, else the answer to give. The
     * password array stays the caller's.
     */
    @Nullable
    LoginResult check(DomainSettings domain, String legacyLogin, char[] password, long deadline)
            throws InterruptedException {
        LegacyEndpoint legacy = domain.legacy();
        String host = legacy.hostKey();
        if (!sessions.acquireForLogin(host, domain.maxConnectionsPerHost(), deadline)) {
            return LoginResult.of(
                    LoginResult.Outcome.LEGACY_UNREACHABLE,
                    "all " + domain.maxConnectionsPerHost() + " sessions to " + legacy
                            + " were busy until the login timed out");
        }
        LoginSlot slot = new LoginSlot(host, password.clone());
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<Void> check;
        try {
            check = checks.submit(() -> {
                if (!slot.start()) {
                    return null; // given up before it started; the caller released the slot
                }
                try (MailStore store = connector.open(legacy, legacyLogin, slot.password)) {
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
                    legacy + " did not answer within " + loginTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException) {
                return LoginResult.of(
                        LoginResult.Outcome.LEGACY_REFUSED, "the legacy server refused the login of " + legacyLogin);
            }
            if (cause instanceof MailStoreException failure) {
                return LoginResult.of(LoginResult.Outcome.LEGACY_UNREACHABLE, failure.getMessage());
            }
            log.error("legacy login check of {} failed unexpectedly", legacyLogin, cause);
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
        private final AtomicInteger state = new AtomicInteger();

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
            sessions.release(host);
        }
    }

    /** Stops the checks under way (their sessions are given back as each one ends). */
    void close() {
        checks.shutdownNow();
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
