package org.mailsync.imap;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.mailsync.AuthenticationException;
import org.mailsync.BackoffPolicy;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.MailStoreException;
import org.mailsync.StoreFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one IMAP exchange under the store's {@link BackoffPolicy}: a lost connection is retried only
 * for idempotent exchanges (a new connection is made by the next attempt), a throttling answer is
 * waited out (the server said NO, so nothing happened), a refused login and an untrusted
 * certificate are never retried. What remains becomes the matching {@link MailStoreException}.
 *
 * <p>Thread-safe (stateless).
 */
final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    private Retrier() {}

    /** One attempt of an exchange. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws Exception;
    }

    static <T> T run(
            Settings settings,
            ErrorContext context,
            String what,
            boolean idempotent,
            Attempt<T> attempt,
            Function<Failure, MailStoreException> refusal)
            throws MailStoreException {
        Deadline.Scope scope = Deadline.start(settings.operationDeadline());
        try {
            return attempts(settings, context, what, idempotent, attempt, refusal);
        } finally {
            scope.close();
        }
    }

    private static <T> T attempts(
            Settings settings,
            ErrorContext context,
            String what,
            boolean idempotent,
            Attempt<T> attempt,
            Function<Failure, MailStoreException> refusal)
            throws MailStoreException {
        BackoffPolicy policy = settings.retry();
        for (int n = 1; ; n++) {
            Failure failure;
            try {
                return attempt.run();
            } catch (MailStoreException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectionException(context, what + " interrupted", e);
            } catch (Exception e) {
                failure = Failure.of(e);
            }
            switch (failure.kind()) {
                case AUTHENTICATION -> throw new AuthenticationException(
                        context,
                        "login refused for " + settings.username() + ": " + failure.text()
                                + (settings.preset() == ProviderPreset.OFFICE365 && settings.oauth2Token() == null
                                        ? " (Microsoft 365 has turned password logins to IMAP off: log in with an"
                                                + " OAuth2 token)"
                                        : ""),
                        null);
                case INSECURE -> throw new StoreFailureException(context, failure.text(), null);
                case TLS -> throw new ConnectionException(context, failure.text(), failure.cause());
                case PROTOCOL -> throw new StoreFailureException(
                        context, what + ": " + failure.text() + " (a protocol error; not retried)", failure.cause());
                case LOST -> {
                    if (!idempotent) {
                        throw new ConnectionException(
                                context,
                                what + ": " + failure.text()
                                        + " (not retried: the server may or may not have carried it out)",
                                failure.cause());
                    }
                    if (!policy.allowsAttemptAfter(n)) {
                        throw new ConnectionException(
                                context, what + ": " + failure.text() + " (after " + n + " attempts)", failure.cause());
                    }
                }
                case THROTTLED -> {
                    if (!policy.allowsAttemptAfter(n)) {
                        throw new ConnectionException(
                                context,
                                what + ": the server throttles us: " + failure.text() + " (after " + n + " attempts)",
                                failure.cause(),
                                true,
                                failure.retryAfter());
                    }
                }
                default -> throw refusal.apply(failure);
            }
            long remaining = Deadline.remainingNanos(System.nanoTime());
            // The policy's wait (or the server's, if longer), if the operation deadline leaves time for it.
            Optional<Duration> next = policy.nextDelay(
                    n, failure.retryAfter(), remaining == Long.MAX_VALUE ? null : Duration.ofNanos(remaining));
            if (next.isEmpty()) {
                throw new ConnectionException(
                        context,
                        what + ": " + failure.text() + " (gave up after " + n
                                + " attempt(s): the operation deadline of " + settings.operationDeadline()
                                + " leaves no time for another)",
                        failure.cause(),
                        failure.kind() == Failure.Kind.THROTTLED,
                        failure.retryAfter());
            }
            LOG.warn(
                    "{}: {} failed ({}), retrying in {} ms (attempt {} of {})",
                    context,
                    what,
                    failure.text(),
                    next.get().toMillis(),
                    n + 1,
                    policy.maxAttempts());
            try {
                settings.sleeper().sleep(next.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectionException(context, what + " interrupted while waiting to retry", e);
            }
        }
    }

    /** The usual refusal: the store cannot go on with this. */
    static Function<Failure, MailStoreException> storeFailure(ErrorContext context, String what) {
        return f -> new StoreFailureException(context, what + " failed: " + f.text(), f.cause());
    }
}
