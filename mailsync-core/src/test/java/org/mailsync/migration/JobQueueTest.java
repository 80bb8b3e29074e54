package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.migration.spi.MigrationRunner;
import org.mailsync.migration.spi.MigrationRunner.Job;
import org.mailsync.migration.spi.MigrationRunner.Priority;

/** The default runner: priorities, one job per account, cancel, shutdown and the legacy session caps. */
@Timeout(60)
class JobQueueTest {
    private static final String HOST = "legacy.example.org:143";

    private final LegacySessions sessions = new LegacySessions();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static Job job(String account, Priority priority) {
        return new Job(account, priority, HOST, 10);
    }

    /** A runner whose jobs record their account; the jobs of "blocker..." hold their thread until the gate opens. */
    private MigrationRunner runner(int maxRunning) {
        MigrationRunner r = new JobQueue(maxRunning, pool, sessions);
        r.start(j -> {
            ran.add(j.account() + " " + j.priority());
            if (j.account().startsWith("blocker")) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        return r;
    }

    @Test
    void aUserAtLoginGoesBeforeAResumeBeforeADeltaBeforeBulkThenFirstComeFirstServed() throws Exception {
        MigrationRunner r = runner(1);
        r.submit(job("blocker", Priority.BULK));
        r.submit(job("bulk1", Priority.BULK));
        r.submit(job("delta1", Priority.DELTA));
        r.submit(job("resume1", Priority.RESUME));
        r.submit(job("bulk2", Priority.BULK));
        r.submit(job("login1", Priority.LOGIN));
        r.submit(job("delta2", Priority.DELTA));
        r.submit(job("login2", Priority.LOGIN));

        assertThat(r.queued()).containsExactly("login1", "login2", "resume1", "delta1", "delta2", "bulk1", "bulk2");
        gate.countDown();
        assertThat(r.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(ran)
                .containsExactly(
                        "blocker BULK",
                        "login1 LOGIN",
                        "login2 LOGIN",
                        "resume1 RESUME",
                        "delta1 DELTA",
                        "delta2 DELTA",
                        "bulk1 BULK",
                        "bulk2 BULK");
    }

    @Test
    void oneJobPerAccountAndOnlyAHigherPriorityReplacesAQueuedOne() throws Exception {
        MigrationRunner r = runner(1);
        r.submit(job("blocker", Priority.BULK));
        r.submit(job("alice", Priority.BULK));
        r.submit(job("bob", Priority.DELTA));
        r.submit(job("bob", Priority.BULK)); // lower: ignored
        r.submit(job("alice", Priority.LOGIN)); // higher: jumps the queue
        r.submit(job("blocker", Priority.LOGIN)); // running: dropped

        assertThat(r.queued()).containsExactly("alice", "bob");
        assertThat(r.busy("blocker")).isTrue();
        assertThat(r.busy("carol")).isFalse();
        gate.countDown();
        assertThat(r.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(ran).containsExactly("blocker BULK", "alice LOGIN", "bob DELTA");
    }

    @Test
    void cancelDropsAQueuedJobAndLeavesARunningOne() throws Exception {
        MigrationRunner r = runner(1);
        r.submit(job("blocker", Priority.BULK));
        r.submit(job("alice", Priority.BULK));

        assertThat(r.cancel("alice")).isTrue();
        assertThat(r.cancel("alice")).isFalse();
        assertThat(r.cancel("blocker")).isFalse();
        assertThat(r.queued()).isEmpty();
        gate.countDown();
        assertThat(r.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(ran).containsExactly("blocker BULK");
    }

    @Test
    void shutdownDropsTheQueueAndTakesNoMore() throws Exception {
        MigrationRunner r = runner(1);
        r.submit(job("blocker", Priority.BULK));
        r.submit(job("alice", Priority.LOGIN));

        r.shutdown();
        r.submit(job("bob", Priority.LOGIN));
        gate.countDown();

        assertThat(r.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(r.queued()).isEmpty();
        assertThat(ran).containsExactly("blocker BULK");
    }

    @Test
    void jobsWaitForAFreeLegacySessionAndLeaveOneForLogins() throws Exception {
        MigrationRunner r = runner(4);
        // A cap of 3: two migrations at once on the host, the third session is the logins'.
        r.submit(new Job("blocker1", Priority.BULK, HOST, 3));
        r.submit(new Job("blocker2", Priority.BULK, HOST, 3));
        r.submit(new Job("bob", Priority.LOGIN, HOST, 3));
        r.submit(new Job("carol", Priority.BULK, "other.example.org:143", 3));

        assertThat(r.queued()).containsExactly("bob");
        assertThat(sessions.count(HOST)).isEqualTo(2);
        long second = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        assertThat(sessions.acquireForLogin(HOST, 3, second))
                .as("the logins' session")
                .isTrue();
        assertThat(sessions.acquireForLogin(HOST, 3, System.nanoTime())).isFalse();

        gate.countDown(); // both blockers end; the login check still holds its session
        assertThat(r.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(ran).contains("bob LOGIN", "carol BULK");
        assertThat(sessions.count(HOST)).isEqualTo(1);
    }

    @Test
    void loginChecksTakeSessionsFromTheSameCount() throws Exception {
        MigrationRunner r = runner(4);
        long second = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        assertThat(sessions.acquireForLogin(HOST, 3, second)).isTrue();
        assertThat(sessions.acquireForLogin(HOST, 3, second)).isTrue();

        r.submit(new Job("dave", Priority.LOGIN, HOST, 3));
        assertThat(r.queued())
                .as("2 sessions of 3 in use: none left for migrations")
                .containsExactly("dave");

        sessions.release(HOST); // one login check is over: its session lets dave start
        assertThat(r.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(ran).containsExactly("dave LOGIN");
        assertThat(sessions.count(HOST)).isEqualTo(1);
    }

    @Test
    void startIsCalledOnce() {
        MigrationRunner r = runner(1);
        assertThatThrownBy(() -> r.start(j -> {})).hasMessage("already started");
        assertThatThrownBy(() -> new Job("a", Priority.BULK, HOST, 0)).hasMessageContaining("at least 1, not 0");
    }
}
