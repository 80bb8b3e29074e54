package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Response;
import org.junit.jupiter.api.Test;
import org.mailsync.AuthenticationException;
import org.mailsync.BackoffPolicy;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.MessageSpool;
import org.mailsync.StoreFailureException;

/** How failures are classified and retried: throttling, lost connections, APPEND, logins. */
class FailureAndRetryTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final ErrorContext context = ErrorContext.of("imap://carol@example.org:143");

    private Settings settings(RetryPolicy policy) {
        return settings(policy.toBackoff());
    }

    private Settings settings(BackoffPolicy policy) {
        return new Settings(
                "example.org",
                143,
                Security.NONE,
                "carol",
                () -> "pw".toCharArray(),
                null,
                null,
                Set.of(),
                null,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                2,
                Duration.ofSeconds(1),
                policy,
                MessageSpool.defaults(),
                sleeps::add,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofMinutes(10),
                1L << 20,
                null);
    }

    private static CommandFailedException no(String text) {
        return new CommandFailedException(new Response("A7 NO " + text));
    }

    @Test
    void gmailThrottledAnswerIsThrottling() {
        Failure f = Failure.of(no("[THROTTLED] Too many simultaneous connections"));
        assertThat(f.kind()).isEqualTo(Failure.Kind.THROTTLED);
        assertThat(f.retryAfter()).isNull();
    }

    @Test
    void microsoftThrottledAnswerCarriesItsSuggestedBackoff() {
        Failure f = Failure.of(no("Request is throttled. Suggested Backoff Time: 64013 milliseconds"));
        assertThat(f.kind()).isEqualTo(Failure.Kind.THROTTLED);
        assertThat(f.retryAfter()).isEqualTo(Duration.ofMillis(64013));
    }

    @Test
    void throttlingIsWaitedOutThenReportedAsThrottledWithTheServersBackoff() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Retrier.run(
                        settings(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1))),
                        context,
                        "UID FETCH",
                        true,
                        () -> {
                            attempts.incrementAndGet();
                            throw no("Request is throttled. Suggested Backoff Time: 5000 milliseconds");
                        },
                        Retrier.storeFailure(context, "UID FETCH")))
                .isInstanceOfSatisfying(ConnectionException.class, e -> {
                    assertThat(e.throttled()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofMillis(5000));
                    assertThat(e.getMessage()).contains("carol@example.org").contains("throttle");
                });
        assertThat(attempts).hasValue(3);
        // The server's suggestion wins over the shorter policy delay.
        assertThat(sleeps).containsExactly(Duration.ofMillis(5000), Duration.ofMillis(5000));
    }

    @Test
    void lostConnectionIsRetriedWithGrowingBackoffForIdempotentCommands() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        String result = Retrier.run(
                settings(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(300))),
                context,
                "STATUS",
                true,
                () -> {
                    if (attempts.incrementAndGet() < 4) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    return "ok";
                },
                Retrier.storeFailure(context, "STATUS"));
        assertThat(result).isEqualTo("ok");
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));
    }

    @Test
    void anyBackoffPolicyIsFollowedForItsAttemptsAndWaits() {
        BackoffPolicy tripling = BackoffPolicy.builder()
                .initialDelay(Duration.ofMillis(10))
                .multiplier(3)
                .maxDelay(Duration.ofMillis(50))
                .maxAttempts(4)
                .build();
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Retrier.run(
                        settings(tripling),
                        context,
                        "STATUS",
                        true,
                        () -> {
                            attempts.incrementAndGet();
                            throw new SocketTimeoutException("Read timed out");
                        },
                        Retrier.storeFailure(context, "STATUS")))
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("(after 4 attempts)");
        assertThat(attempts).hasValue(4);
        assertThat(sleeps).containsExactly(Duration.ofMillis(10), Duration.ofMillis(30), Duration.ofMillis(50));
    }

    @Test
    void aRetryPolicyIsTheDoublingBackoffPolicyItNames() {
        BackoffPolicy def = RetryPolicy.DEFAULT.toBackoff();
        assertThat(def.maxAttempts()).isEqualTo(4);
        assertThat(List.of(def.nextDelay(1), def.nextDelay(2), def.nextDelay(3), def.nextDelay(4)))
                .containsExactly(
                        java.util.Optional.of(Duration.ofMillis(500)),
                        java.util.Optional.of(Duration.ofMillis(1000)),
                        java.util.Optional.of(Duration.ofMillis(2000)),
                        java.util.Optional.empty());
        assertThat(new RetryPolicy(9, Duration.ofSeconds(20), Duration.ofSeconds(30))
                        .toBackoff()
                        .delay(3))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryPolicy.NONE.toBackoff())
                .isEqualTo(BackoffPolicy.builder()
                        .maxAttempts(1)
                        .initialDelay(Duration.ZERO)
                        .maxDelay(Duration.ZERO)
                        .build());
        assertThat(RetryPolicy.NONE.toBackoff().allowsAttemptAfter(1)).isFalse();
    }

    @Test
    void appendIsNeverRetriedAfterALostConnection() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Retrier.run(
                        settings(RetryPolicy.DEFAULT),
                        context,
                        "APPEND",
                        false,
                        () -> {
                            attempts.incrementAndGet();
                            throw new IOException("Connection reset");
                        },
                        Retrier.storeFailure(context, "APPEND")))
                .isInstanceOfSatisfying(ConnectionException.class, e -> assertThat(e.throttled())
                        .isFalse())
                .hasMessageContaining("not retried");
        assertThat(attempts).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void refusedLoginIsAnAuthenticationErrorAndNeverRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Retrier.run(
                        settings(RetryPolicy.DEFAULT),
                        context,
                        "connect",
                        true,
                        () -> {
                            attempts.incrementAndGet();
                            throw new jakarta.mail.AuthenticationFailedException("[AUTHENTICATIONFAILED] no");
                        },
                        Retrier.storeFailure(context, "connect")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("carol");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aPlainNoIsTheCallersRefusalAtOnce() {
        assertThatThrownBy(() -> Retrier.run(
                        settings(RetryPolicy.DEFAULT),
                        context,
                        "CREATE",
                        true,
                        () -> {
                            throw no("[NOPERM] not allowed");
                        },
                        Retrier.storeFailure(context, "CREATE")))
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("NOPERM");
        assertThat(sleeps).isEmpty();
    }
}
