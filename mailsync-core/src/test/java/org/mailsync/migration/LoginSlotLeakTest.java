package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.migration.LoginResult.Outcome;

/**
 * Issue 12.15: a login check the timeout cancels before it even started must give its legacy
 * session slot back, or a host with a cap of one session refuses every later login for good.
 */
@Timeout(60)
class LoginSlotLeakTest {
    @TempDir
    Path tmp;

    private MigrationFixture f;
    private final ExecutorService checks = Executors.newSingleThreadExecutor();
    // The migration a successful login starts opens the legacy server too: it waits on this
    // executor behind a task that holds its one thread until tearDown, and never runs.
    private final ExecutorService migrations = Executors.newSingleThreadExecutor();
    private final CountDownLatch migrationsHeld = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        f = new MigrationFixture(tmp);
        f.legacy.addUser("alice@example.org", "alice-password");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        f.close();
        checks.shutdownNow();
        migrations.shutdownNow();
        assertThat(migrations.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCheckCancelledBeforeItStartedReleasesItsSessionSlot() throws Exception {
        AutoMigration m = f.start(f.builder()
                .domain(f.domain().maxConnectionsPerHost(1).build())
                .loginTimeout(Duration.ofMillis(200))
                .loginCheckExecutor(checks)
                .maxConcurrentMigrations(1)
                .executor(migrations));
        migrations.submit(() -> {
            migrationsHeld.await();
            return null;
        });
        // The only check thread is busy: the next check waits in the queue past the timeout.
        CountDownLatch busy = new CountDownLatch(1);
        checks.submit(() -> {
            busy.await();
            return null;
        });

        LoginResult first = m.onLogin("alice@example.org", "alice-password".toCharArray());
        assertThat(first.outcome()).isEqualTo(Outcome.LEGACY_UNREACHABLE);
        assertThat(first.reason()).contains("did not answer within 200 ms");
        busy.countDown();
        // The cancelled check never runs: nothing was opened on the legacy server.
        checks.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertThat(f.legacy.opened).isEmpty();

        // The one slot is free again: the next login is checked and starts the migration.
        LoginResult second = m.onLogin("alice@example.org", "alice-password".toCharArray());
        assertThat(second.outcome()).as(second.reason()).isEqualTo(Outcome.MIGRATION_STARTED);
        // The check opened the legacy session; the migration it started may already open more.
        assertThat(List.copyOf(f.legacy.opened)).first().isEqualTo("alice@example.org");
    }
}
