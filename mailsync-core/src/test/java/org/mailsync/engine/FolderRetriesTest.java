package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.BackoffPolicy;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.SyncEngine;
import org.mailsync.testing.InstrumentedStore;

/** A folder pass that loses its connection is retried as the engine's back-off policy says. */
class FolderRetriesTest {
    @TempDir
    Path tmp;

    /** The start of every folder pass (its listing), in nanoseconds; each one fails. */
    private final List<Long> attempts = new CopyOnWriteArrayList<>();

    private SyncEngine.Builder failingEveryPass(@Nullable Duration serverWish) throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("one", "body"), Flags.NONE);
        f.source.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) throws MailStoreException {
                if (op.equals("list")) {
                    attempts.add(System.nanoTime());
                    throw new ConnectionException(
                            ErrorContext.of("memory:source", folder),
                            "connection reset",
                            null,
                            serverWish != null,
                            serverWish);
                }
            }
        });
        return SyncEngine.builder()
                .source(f.source)
                .target(f.target)
                .checkpoints(FileCheckpointStore.in(f.checkpoints));
    }

    private List<Duration> waits() {
        List<Duration> waits = new java.util.ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) {
            waits.add(Duration.ofNanos(attempts.get(i) - attempts.get(i - 1)));
        }
        return waits;
    }

    private static FolderReport only(SyncEngine engine) throws Exception {
        return engine.run().folders().get(0);
    }

    @Test
    void retriesCountAfterTheFirstAttemptAndTheWaitsDouble() throws Exception {
        FolderReport report =
                only(failingEveryPass(null).retries(2, Duration.ofMillis(300)).build());

        assertThat(attempts).hasSize(3);
        assertThat(waits().get(0)).isBetween(Duration.ofMillis(300), Duration.ofMillis(590));
        assertThat(waits().get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(report.outcome()).isEqualTo(FolderReport.Outcome.FAILED);
        assertThat(report.error()).contains("connection reset").endsWith("(gave up after 3 attempts)");
    }

    @Test
    void aBackoffPolicyGivesTheAttemptsInAllAndItsWaits() throws Exception {
        BackoffPolicy constant = BackoffPolicy.builder()
                .initialDelay(Duration.ofMillis(30))
                .multiplier(1)
                .maxDelay(Duration.ofMillis(30))
                .maxAttempts(4)
                .build();
        FolderReport report = only(failingEveryPass(null).retries(constant).build());

        assertThat(attempts).hasSize(4);
        assertThat(waits()).allSatisfy(w -> assertThat(w).isGreaterThanOrEqualTo(Duration.ofMillis(30)));
        assertThat(report.error()).endsWith("(gave up after 4 attempts)");
        assertThat(failingEveryPass(null)
                        .retries(BackoffPolicy.NONE)
                        .build()
                        .run()
                        .folders())
                .singleElement()
                .satisfies(r -> assertThat(r.error()).endsWith("(gave up after 1 attempts)"));
    }

    @Test
    void aLongerWaitTheServerAskedForWins() throws Exception {
        only(failingEveryPass(Duration.ofMillis(300))
                .retries(1, Duration.ofMillis(10))
                .build());

        assertThat(attempts).hasSize(2);
        assertThat(waits().get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void noRetryIsMadeThatCouldOnlyStartAfterTheDeadline() throws Exception {
        long start = System.nanoTime();
        FolderReport report = only(failingEveryPass(null)
                .retries(3, Duration.ofSeconds(20))
                .folderDeadline(Duration.ofSeconds(1))
                .build());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(attempts).hasSize(1);
        assertThat(report.error()).contains("connection reset", "not retried", "the folder deadline of PT1S");
    }

    @Test
    void theRetriesAreSetOnceWhicheverWay() throws Exception {
        SyncEngine.Builder builder = failingEveryPass(null).retries(BackoffPolicy.NONE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.retries(1, Duration.ZERO))
                .hasMessage("retries was already set to " + BackoffPolicy.NONE);
    }
}
