package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.AuthenticationException;
import org.mailsync.ErrorContext;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.LoginResult.Outcome;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.spi.MailStore;

/** The login gate: every check gives its legacy session back once, whatever happened to it; the session caps. */
@Timeout(60)
class LoginGateTest {
    private static final String HOST = MigrationFixture.LEGACY.hostKey();
    private static final DomainSettings CAP_ONE = DomainSettings.forDomain("example.org")
            .legacy(MigrationFixture.LEGACY)
            .maxConnectionsPerHost(1)
            .build();

    private final LegacySessions sessions = new LegacySessions();
    private final ExecutorService checks = Executors.newSingleThreadExecutor();
    private final List<char[]> passwordsSeen = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void tearDown() {
        checks.shutdownNow();
    }

    private LoginGate gate(LegacyConnector connector) {
        return new LoginGate(connector, sessions, checks, Duration.ofMillis(300));
    }

    /** Accepts "right", refuses anything else, remembering the arrays it was given. */
    private LegacyConnector legacy() {
        return new LegacyConnector() {
            @Override
            public MailStore open(LegacyEndpoint endpoint, String login, char[] password)
                    throws AuthenticationException {
                passwordsSeen.add(password);
                if (!new String(password).equals("right")) {
                    throw new AuthenticationException(ErrorContext.of(login), "LOGIN failed", null);
                }
                return InMemoryStore.create(login);
            }

            @Override
            public MailStore openAsMaster(LegacyEndpoint e, String login, String masterLogin, char[] masterPassword) {
                throw new AssertionError("not for login checks");
            }
        };
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    }

    @Test
    void acceptedAndRefusedChecksGiveTheirSessionBackAndZeroTheirPasswordCopy() throws Exception {
        LoginGate gate = gate(legacy());
        char[] typed = "right".toCharArray();

        assertThat(gate.check(CAP_ONE, "alice", typed, deadline())).isNull();
        LoginResult refused = gate.check(CAP_ONE, "alice", "wrong".toCharArray(), deadline());

        assertThat(refused.outcome()).isEqualTo(Outcome.LEGACY_REFUSED);
        assertThat(refused.reason()).isEqualTo("the legacy server refused the login of alice");
        assertThat(sessions.count(HOST)).isZero();
        assertThat(typed).containsExactly('r', 'i', 'g', 'h', 't'); // the caller's array stays the caller's
        assertThat(passwordsSeen).hasSize(2).allSatisfy(p -> assertThat(p).containsOnly('\0'));
    }

    @Test
    void aCheckThatTimesOutWhileQueuedGivesItsSessionBackAtOnceAndNeverRuns() throws Exception {
        LoginGate gate = gate(legacy());
        CountDownLatch busy = new CountDownLatch(1);
        checks.submit(() -> {
            busy.await();
            return null;
        });

        LoginResult r = gate.check(CAP_ONE, "alice", "right".toCharArray(), deadline());

        assertThat(r.outcome()).isEqualTo(Outcome.LEGACY_UNREACHABLE);
        assertThat(r.reason()).contains("did not answer within 300 ms");
        assertThat(sessions.count(HOST)).isZero();
        busy.countDown();
        checks.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertThat(passwordsSeen).isEmpty();
    }

    @Test
    void aCheckWaitsForAFreeSessionUntilItsDeadline() throws Exception {
        LoginGate gate = gate(legacy());
        assertThat(sessions.tryAcquireForMigration(HOST, 1)).isTrue(); // the one session: a migration's

        LoginResult r = gate.check(CAP_ONE, "alice", "right".toCharArray(), deadline());

        assertThat(r.outcome()).isEqualTo(Outcome.LEGACY_UNREACHABLE);
        assertThat(r.reason())
                .isEqualTo("all 1 sessions to " + MigrationFixture.LEGACY + " were busy until the login timed out");
        assertThat(passwordsSeen).isEmpty();

        // Given back during the next check's wait: that check takes it.
        Thread releaser = new Thread(() -> {
            sleep(50);
            sessions.release(HOST);
        });
        releaser.start();
        assertThat(gate.check(CAP_ONE, "alice", "right".toCharArray(), deadline()))
                .isNull();
        releaser.join();
        assertThat(sessions.count(HOST)).isZero();
    }

    @Test
    void migrationsLeaveOneSessionForLoginsAndReleasesAreAnnounced() {
        AtomicInteger announced = new AtomicInteger();
        AtomicBoolean heldMonitor = new AtomicBoolean();
        sessions.onRelease(() -> {
            announced.incrementAndGet();
            heldMonitor.set(Thread.holdsLock(sessions));
        });

        assertThat(sessions.tryAcquireForMigration(HOST, 3)).isTrue();
        assertThat(sessions.tryAcquireForMigration(HOST, 3)).isTrue();
        assertThat(sessions.tryAcquireForMigration(HOST, 3))
                .as("the third is the logins'")
                .isFalse();
        assertThat(sessions.tryAcquireForMigration("other:143", 3)).isTrue();
        assertThat(sessions.count(HOST)).isEqualTo(2);

        sessions.release(HOST);

        assertThat(sessions.count(HOST)).isEqualTo(1);
        assertThat(announced).hasValue(1);
        assertThat(heldMonitor).isFalse();
        assertThat(sessions.tryAcquireForMigration("single:143", 1))
                .as("a cap of one is shared")
                .isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
