package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.migration.spi.MigrationStateStore;

/** Account states: striped locks that do not grow with the accounts, changes that never interleave or get lost. */
@Timeout(60)
class AccountStatesTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    /** A state store in memory that counts saves and can be made to fail. */
    private static final class MemoryStateStore implements MigrationStateStore {
        final Map<String, AccountState> saved = new ConcurrentHashMap<>();
        final AtomicInteger saves = new AtomicInteger();
        volatile boolean failing;

        @Override
        public List<AccountState> loadAll() {
            return new ArrayList<>(saved.values());
        }

        @Override
        public void save(AccountState state) throws IOException {
            saves.incrementAndGet();
            if (failing) {
                throw new IOException("disk full");
            }
            saved.put(state.account(), state);
        }
    }

    private static AccountState fresh(String account) {
        return AccountState.fresh(account, "example.org", account, NOW);
    }

    @Test
    void tenThousandAccountsShareTheFixedStripesAndNoLockIsAddedForThem() throws Exception {
        AccountStates states = new AccountStates(new MemoryStateStore(), MigrationListener.NONE, 1024);
        Set<ReentrantLock> locks = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<ReentrantLock> provisioning = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 10_000; i++) {
            String account = "user" + i + "@example.org";
            states.update(account, () -> fresh(account), s -> s.withQueued(true, NOW));
            locks.add(states.stateLock(account));
            provisioning.add(states.provisioningLock(account));
            assertThat(states.stateLock(account)).isSameAs(states.stateLock(new String(account)));
            assertThat(states.provisioningLock(account)).isSameAs(states.provisioningLock(new String(account)));
        }

        assertThat(states.all()).hasSize(10_000);
        assertThat(states.stripes()).isEqualTo(1024);
        // Every lock ever handed out is one of the 1024 of its kind, and the hash spreads the
        // accounts over them.
        assertThat(locks).hasSizeLessThanOrEqualTo(1024).hasSizeGreaterThan(1000);
        assertThat(provisioning).hasSizeLessThanOrEqualTo(1024).hasSizeGreaterThan(1000);
        assertThat(locks).noneMatch(provisioning::contains).noneMatch(ReentrantLock::isLocked);
    }

    @Test
    void concurrentChangesOfOneAccountAreNeverLost() throws Exception {
        MemoryStateStore store = new MemoryStateStore();
        List<String> announced = Collections.synchronizedList(new ArrayList<>());
        AccountStates states = new AccountStates(
                store,
                new MigrationListener() {
                    @Override
                    public void stateChanged(AccountState previous, AccountState now) {
                        announced.add(now.account() + " " + previous.messagesCopied() + ">" + now.messagesCopied());
                    }
                },
                4);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        states.update("alice", () -> fresh("alice"), s -> s.withRecentPassDone(1, NOW));
                        states.update("bob", () -> fresh("bob"), s -> s.withRecentPassDone(1, NOW));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(states.get("alice").messagesCopied()).isEqualTo(2000);
        assertThat(store.saved.get("bob").messagesCopied()).isEqualTo(2000);
        assertThat(store.saves).hasValue(4000);
        assertThat(announced).hasSize(4000).doesNotHaveDuplicates();
    }

    @Test
    void aChangeThatCannotBeSavedIsKeptInMemoryAndReported() throws Exception {
        MemoryStateStore store = new MemoryStateStore();
        AccountStates states = new AccountStates(store, MigrationListener.NONE, 16);
        states.update("alice", () -> fresh("alice"), s -> s);
        store.failing = true;

        assertThatThrownBy(() -> states.update("alice", null, s -> s.withQueued(true, NOW)))
                .isInstanceOf(IOException.class)
                .hasMessage("disk full");
        assertThat(states.get("alice").queued()).isTrue();
        assertThat(store.saved.get("alice").queued()).isFalse();
        assertThatThrownBy(() -> states.update("nobody", null, s -> s))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no migration state for nobody");
        assertThatThrownBy(() -> new AccountStates(store, MigrationListener.NONE, 1000))
                .hasMessage("stripes must be a power of two, not 1000");
    }

    @Test
    void aStateChangeDoesNotWaitForALoginHoldingTheProvisioningLock() throws Exception {
        AccountStates states = new AccountStates(new MemoryStateStore(), MigrationListener.NONE, 1);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch over = new CountDownLatch(1);
        Thread login = new Thread(() -> {
            states.provisioningLock("alice").lock();
            try {
                held.countDown();
                over.await(); // the legacy check takes its time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                states.provisioningLock("alice").unlock();
            }
        });
        login.start();
        try {
            held.await();
            // One stripe: every account shares the login's provisioning lock, and still goes on.
            states.update("bob", () -> fresh("bob"), s -> s.withQueued(true, NOW));
            states.update("alice", () -> fresh("alice"), s -> s.withQueued(true, NOW));
            assertThat(states.get("alice").queued()).isTrue();
        } finally {
            over.countDown();
            login.join();
        }
    }

    @Test
    void loadAllBringsBackWhatWasSaved() throws Exception {
        MemoryStateStore store = new MemoryStateStore();
        new AccountStates(store, MigrationListener.NONE, 16).update("alice", () -> fresh("alice"), s -> s);
        AccountStates reloaded = new AccountStates(store, MigrationListener.NONE, 16);
        reloaded.loadAll();
        assertThat(reloaded.get("alice")).isEqualTo(fresh("alice"));
    }
}
