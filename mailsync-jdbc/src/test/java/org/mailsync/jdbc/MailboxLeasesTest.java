package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailsync.CheckpointLostException;
import org.mailsync.jdbc.testing.PostgresServer;

class MailboxLeasesTest {
    private static PostgresServer pg;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        Schema.migrate(pg.dataSource());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void aMailboxIsHeldByOneHolderAtATimeAndEachAcquisitionRaisesTheEpoch() throws Exception {
        MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(30));
        assertThat(MailboxLeases.thisProcess())
                .startsWith(ProcessHandle.current().pid() + "@");
        Lease a = leases.acquire("one@example.org", "worker-a").orElseThrow();
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(leases.acquire("one@example.org", "worker-b")).isEmpty();
        assertThat(leases.current("one@example.org").orElseThrow())
                .extracting(LeaseInfo::holder, LeaseInfo::epoch, LeaseInfo::held)
                .containsExactly("worker-a", 1L, true);

        leases.release(a);
        assertThat(a.locallyValid()).isFalse();
        Lease b = leases.acquire("one@example.org", "worker-b").orElseThrow();
        assertThat(b.epoch()).isEqualTo(2);
        assertThatThrownBy(() -> leases.renew(a)).isInstanceOf(CheckpointLostException.class);
        assertThatThrownBy(() -> leases.check(a)).isInstanceOf(CheckpointLostException.class);
        leases.check(b);
        assertThat(leases.held()).extracting(LeaseInfo::mailbox).contains("one@example.org");
    }

    @Test
    void anExpiredLeaseIsTakenOverWithTheNextEpochAndTheOldHolderCannotRenewIt() throws Exception {
        MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(2));
        Lease a = leases.acquire("two@example.org", "worker-a").orElseThrow();
        leases.renew(a);
        Thread.sleep(2_100);
        assertThat(a.locallyValid()).isFalse();
        Lease b = leases.acquire("two@example.org", "worker-b").orElseThrow();
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        assertThatThrownBy(() -> leases.renew(a))
                .isInstanceOf(CheckpointLostException.class)
                .hasMessageContaining("two@example.org")
                .hasMessageContaining("epoch " + a.epoch());
        leases.renew(b);
        assertThat(b.locallyValid()).isTrue();
    }

    @Test
    void anExpiredLeaseNobodyTookIsLostAllTheSame() throws Exception {
        MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(1));
        Lease a = leases.acquire("three@example.org", "worker-a").orElseThrow();
        Thread.sleep(1_100);
        assertThatThrownBy(() -> leases.renew(a)).isInstanceOf(CheckpointLostException.class);
        assertThatThrownBy(() -> leases.check(a)).isInstanceOf(CheckpointLostException.class);
    }

    @Test
    void aRunPastItsLocalDeadlineNoticesWithoutTheDatabase() throws Exception {
        Lease a;
        try (Database own = pg.newPool(1)) {
            MailboxLeases leases = MailboxLeases.over(own.dataSource(), Duration.ofSeconds(2));
            a = leases.acquire("four@example.org", "worker-a").orElseThrow();
            assertThat(a.remaining()).isPositive().isLessThan(Duration.ofSeconds(2));
            a.checkLocally();
        }
        // The pool is closed: the checks below cannot ask the database.
        Thread.sleep(2_000);
        assertThat(a.locallyValid()).isFalse();
        assertThatThrownBy(a::checkLocally)
                .isInstanceOf(CheckpointLostException.class)
                .hasMessageContaining("local deadline passed");
    }

    @Test
    void keptRenewedALeaseOutlivesItsLengthAndIsReleasedForTheNext() throws Exception {
        try (MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(3))) {
            Lease a = leases.acquire("five@example.org", "worker-a").orElseThrow();
            MailboxLeases.Renewal renewal = leases.keepRenewed(a);
            try {
                Thread.sleep(4_000);
                assertThat(a.locallyValid()).isTrue();
                leases.check(a);
                assertThat(leases.acquire("five@example.org", "worker-b")).isEmpty();
            } finally {
                renewal.close();
            }
            leases.release(a);
            Optional<Lease> b = leases.acquire("five@example.org", "worker-b");
            assertThat(b).isPresent();
        }
    }

    @Test
    void aRenewerThatFindsTheLeaseTakenMarksItLostAtOnce() throws Exception {
        try (MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(3))) {
            Lease a = leases.acquire("six@example.org", "worker-a").orElseThrow();
            MailboxLeases.Renewal renewal = leases.keepRenewed(a);
            try {
                // An operator (or a clock gone wrong) ends the lease in the database; another takes it.
                try (var c = pg.dataSource().getConnection();
                        var st = c.createStatement()) {
                    st.execute("update mailsync_lease set expires_at = now() where mailbox = 'six@example.org'");
                }
                assertThat(leases.acquire("six@example.org", "worker-b")).isPresent();
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (a.locallyValid() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(a.locallyValid()).isFalse();
                assertThatThrownBy(a::checkLocally).hasMessageContaining("taken over with epoch 2 by worker-b");
            } finally {
                renewal.close();
            }
        }
    }
}
