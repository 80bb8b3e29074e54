package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one back-off: its waits, its cap, jitter, the server's wish, attempts and deadlines, and retry(). */
class BackoffPolicyTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static BackoffPolicy.Builder policy() {
        return BackoffPolicy.builder()
                .initialDelay(Duration.ofSeconds(1))
                .multiplier(2)
                .maxDelay(Duration.ofSeconds(10))
                .maxAttempts(6);
    }

    @Test
    void waitsGrowByTheMultiplierUpToTheMaxDelay() {
        BackoffPolicy p = policy().build();
        assertThat(List.of(p.delay(1), p.delay(2), p.delay(3), p.delay(4), p.delay(5), p.delay(1000)))
                .containsExactly(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10));
        BackoffPolicy slower = BackoffPolicy.builder()
                .initialDelay(Duration.ofMillis(100))
                .multiplier(1.5)
                .maxDelay(Duration.ofHours(1))
                .build();
        assertThat(slower.delay(3)).isEqualTo(Duration.ofMillis(225));
        assertThat(BackoffPolicy.builder().multiplier(1).build().delay(50)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void doublingIsExactToTheNanosecondFarOut() {
        BackoffPolicy p = BackoffPolicy.doubling(Duration.ofMinutes(1), 100);
        assertThat(p.delay(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.delay(21)).isEqualTo(Duration.ofMinutes(1L << 20));
        assertThat(p.delay(22)).isEqualTo(Duration.ofMinutes(1L << 20));
        assertThat(BackoffPolicy.doubling(Duration.ofDays(365 * 200), 3).maxDelay())
                .isEqualTo(BackoffPolicy.MAX_DELAY);
    }

    @Test
    void noAttemptFollowsTheLastOne() {
        BackoffPolicy p = policy().build();
        assertThat(p.nextDelay(5)).contains(Duration.ofSeconds(10));
        assertThat(p.allowsAttemptAfter(5)).isTrue();
        assertThat(p.nextDelay(6)).isEmpty();
        assertThat(p.allowsAttemptAfter(6)).isFalse();
        assertThat(BackoffPolicy.NONE.nextDelay(1)).isEmpty();
        assertThatThrownBy(() -> p.nextDelay(0)).hasMessage("attempts count from 1, not 0");
    }

    @Test
    void jitterTakesOffAtMostItsShareAndNeverAdds() {
        BackoffPolicy p = policy().jitter(0.25).build();
        assertThat(p.nextDelay(3, null, NOW, null, 0.0)).contains(Duration.ofSeconds(4));
        assertThat(p.nextDelay(3, null, NOW, null, 0.5)).contains(Duration.ofMillis(3500));
        assertThat(p.nextDelay(3, null, NOW, null, 0.999_999))
                .hasValueSatisfying(d ->
                        assertThat(d).isGreaterThan(Duration.ofMillis(2999)).isLessThan(Duration.ofMillis(3001)));
        for (int i = 0; i < 1000; i++) {
            assertThat(p.nextDelay(3).orElseThrow()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(4));
        }
    }

    @Test
    void aLongerServerWishWinsEvenOverTheMaxDelayAndAShorterOneDoesNot() {
        BackoffPolicy p = policy().build();
        assertThat(p.nextDelay(1, Duration.ofMinutes(5), NOW, null)).contains(Duration.ofMinutes(5));
        assertThat(p.nextDelay(3, Duration.ofMillis(10), NOW, null)).contains(Duration.ofSeconds(4));
        assertThat(p.nextDelay(6, Duration.ofMinutes(5), NOW, null)).isEmpty();
    }

    @Test
    void noAttemptThatWouldStartAfterTheDeadline() {
        BackoffPolicy p = policy().build();
        Instant deadline = NOW.plusSeconds(4);
        assertThat(p.nextDelay(3, null, NOW, deadline)).contains(Duration.ofSeconds(4)); // starts at the deadline
        assertThat(p.nextDelay(4, null, NOW, deadline)).isEmpty(); // 8 s: past it
        assertThat(p.nextDelay(1, Duration.ofSeconds(5), NOW, deadline)).isEmpty(); // the server's wait: past it
        assertThat(p.nextDelay(1, null, deadline.plusNanos(1), deadline)).isEmpty(); // already past
    }

    @Test
    void theTimeLeftDecidesAsTheDeadlineDoes() {
        BackoffPolicy p = policy().build();
        assertThat(p.nextDelay(3, null, Duration.ofSeconds(4))).contains(Duration.ofSeconds(4));
        assertThat(p.nextDelay(3, null, Duration.ofMillis(3999))).isEmpty();
        assertThat(p.nextDelay(1, Duration.ofSeconds(5), Duration.ofSeconds(4))).isEmpty();
        assertThat(p.nextDelay(1, null, Duration.ofNanos(-1))).isEmpty();
        assertThat(p.nextDelay(6, null, (Duration) null)).isEmpty();
        assertThat(p.nextDelay(5, Duration.ofDays(1), (Duration) null)).contains(Duration.ofDays(1));
    }

    @Test
    void theBuilderRefusesASettingMadeTwiceAndBadValues() {
        BackoffPolicy.Builder b = BackoffPolicy.builder().maxAttempts(4);
        assertThatThrownBy(() -> b.maxAttempts(5)).hasMessage("max attempts was already set to 4");
        assertThatThrownBy(() -> BackoffPolicy.builder().maxAttempts(0))
                .hasMessage("max attempts must be at least 1, not 0");
        assertThatThrownBy(() -> BackoffPolicy.builder().multiplier(0.5)).hasMessageContaining("1..1000, not 0.5");
        assertThatThrownBy(() -> BackoffPolicy.builder().jitter(1.5)).hasMessageContaining("0..1, not 1.5");
        assertThatThrownBy(() -> BackoffPolicy.builder().initialDelay(Duration.ofSeconds(-1)))
                .hasMessageContaining("not PT-1S");
        assertThatThrownBy(() -> BackoffPolicy.builder()
                        .initialDelay(Duration.ofMinutes(2))
                        .maxDelay(Duration.ofMinutes(1))
                        .build())
                .hasMessage("max delay PT1M must not be shorter than the initial delay PT2M");
    }

    @Test
    void newBuilderCopiesAndChangesWithoutTouchingTheOriginal() {
        BackoffPolicy p = policy().jitter(0.1).build();
        BackoffPolicy more = p.newBuilder().maxAttempts(9).build();
        assertThat(more.maxAttempts()).isEqualTo(9);
        assertThat(p.maxAttempts()).isEqualTo(6);
        assertThat(more.newBuilder().maxAttempts(6).build()).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(p.toString()).contains("6 attempts").contains("jitter 0.1");
    }

    @Test
    void retryRunsUntilSuccessWaitingAsThePolicySays() throws Exception {
        List<Duration> slept = new ArrayList<>();
        List<String> said = new ArrayList<>();
        String result = policy().build()
                .retry(
                        n -> {
                            if (n < 3) {
                                throw new IOException("dropped " + n);
                            }
                            return "done at " + n;
                        },
                        new BackoffPolicy.Failures<IOException>() {
                            @Override
                            public boolean retryable(IOException failure) {
                                return true;
                            }

                            @Override
                            public void retrying(IOException failure, int failedAttempt, Duration wait) {
                                said.add(failure.getMessage() + " " + failedAttempt + " " + wait);
                            }
                        },
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        null,
                        slept::add);
        assertThat(result).isEqualTo("done at 3");
        assertThat(slept).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(said).containsExactly("dropped 1 1 PT1S", "dropped 2 2 PT2S");
    }

    @Test
    void retryThrowsTheLastFailureWhenAttemptsRunOutOrTheDeadlineComes() {
        AtomicInteger runs = new AtomicInteger();
        BackoffPolicy.Attempt<String, IOException> failing = n -> {
            runs.incrementAndGet();
            throw new IOException("failed " + n);
        };
        List<Duration> slept = new ArrayList<>();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

        assertThatThrownBy(() -> policy().build()
                        .newBuilder()
                        .maxAttempts(3)
                        .build()
                        .retry(failing, e -> true, clock, null, slept::add))
                .isInstanceOf(IOException.class)
                .hasMessage("failed 3");
        assertThat(runs).hasValue(3);

        runs.set(0);
        assertThatThrownBy(() -> policy().build().retry(failing, e -> true, clock, NOW.plusSeconds(2), slept::add))
                .hasMessage("failed 3"); // after 1 s and 2 s, the next wait (4 s) would pass the deadline
        assertThat(runs).hasValue(3);

        runs.set(0);
        assertThatThrownBy(() -> policy().build().retry(failing, e -> false, clock, null, slept::add))
                .hasMessage("failed 1");
        assertThat(runs).hasValue(1);
    }

    @Test
    void retryAsksTheFailureForTheServersWish() throws Exception {
        List<Duration> slept = new ArrayList<>();
        Optional<String> out = policy().build()
                .retry(
                        n -> {
                            if (n == 1) {
                                throw new IOException("throttled");
                            }
                            return Optional.of("ok");
                        },
                        new BackoffPolicy.Failures<IOException>() {
                            @Override
                            public boolean retryable(IOException failure) {
                                return true;
                            }

                            @Override
                            public Duration serverWish(IOException failure) {
                                return Duration.ofMinutes(3);
                            }
                        },
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        null,
                        slept::add);
        assertThat(out).contains("ok");
        assertThat(slept).containsExactly(Duration.ofMinutes(3));
    }
}
