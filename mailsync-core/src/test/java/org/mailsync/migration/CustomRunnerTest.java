package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.migration.MigrationFixture.fill;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.migration.LoginResult.Outcome;
import org.mailsync.migration.spi.MigrationRunner;
import org.mailsync.migration.spi.MigrationRunner.Job;
import org.mailsync.migration.spi.MigrationRunner.Priority;

/** Another runner replaces the in-process queue: it gets every job, with its priority, and runs it where it likes. */
@Timeout(60)
class CustomRunnerTest {
    @TempDir
    Path tmp;

    private MigrationFixture f;

    /** Keeps the jobs until the test runs them, as a scheduler on another node would. */
    private static final class HoldingRunner implements MigrationRunner {
        final List<Job> submitted = Collections.synchronizedList(new ArrayList<>());

        @Nullable
        Consumer<Job> work;

        boolean shutDown;

        @Override
        public void start(Consumer<Job> jobWork) {
            work = jobWork;
        }

        @Override
        public void submit(Job job) {
            submitted.add(job);
        }

        @Override
        public boolean cancel(String account) {
            return submitted.removeIf(j -> j.account().equals(account));
        }

        @Override
        public boolean busy(String account) {
            return submitted.stream().anyMatch(j -> j.account().equals(account));
        }

        @Override
        public List<String> queued() {
            return submitted.stream().map(Job::account).toList();
        }

        @Override
        public boolean awaitIdle(Duration timeout) {
            return submitted.isEmpty();
        }

        @Override
        public void shutdown() {
            shutDown = true;
        }

        void runAll() {
            while (!submitted.isEmpty()) {
                work.accept(submitted.remove(0));
            }
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        f = new MigrationFixture(tmp);
        fill(f.legacy.addUser("alice@example.org", "alice-password"), "alice", 3, 2, 1);
        fill(f.legacy.addUser("bob@example.org", "bob-password"), "bob", 3, 2, 1);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void theRunnerGetsEachJobWithItsPriorityAndRunsItOnItsOwnThread() throws Exception {
        HoldingRunner runner = new HoldingRunner();
        AutoMigration m = f.start(f.builder()
                .domain(f.domain()
                        .masterCredentials("admin", MigrationFixture.MASTER_PASSWORD)
                        .maxConnectionsPerHost(3)
                        .build())
                .runner(runner));

        m.prestage(List.of("bob@example.org"));
        LoginResult login = m.onLogin("alice@example.org", "alice-password".toCharArray());

        assertThat(login.outcome()).isEqualTo(Outcome.MIGRATION_STARTED);
        String host = MigrationFixture.LEGACY.hostKey();
        assertThat(runner.submitted)
                .containsExactly(
                        new Job("bob@example.org", Priority.BULK, host, 3),
                        new Job("alice@example.org", Priority.LOGIN, host, 3));
        assertThat(m.queued()).containsExactly("bob@example.org", "alice@example.org");

        Thread node = new Thread(runner::runAll);
        node.start();
        node.join();

        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(m.state("bob@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        m.close();
        assertThat(runner.shutDown).isTrue();
    }

    @Test
    void theDefaultRunnersSettingsCannotBeMadeWithAnotherRunner() throws Exception {
        AutoMigration.Builder b = f.builder()
                .domain(f.domain().build())
                .runner(new HoldingRunner())
                .maxConcurrentMigrations(2);
        assertThatThrownBy(b::build)
                .hasMessage("maxConcurrentMigrations and executor configure the default runner: not with runner(...)");
        assertThatThrownBy(() -> b.runner(new HoldingRunner())).hasMessageStartingWith("runner was already set to ");
    }
}
