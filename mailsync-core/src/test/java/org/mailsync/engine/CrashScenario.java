package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.Multiset;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailsync.DeletionPolicy;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.testing.InstrumentedStore;
import org.mailsync.testing.MailboxAssertions;

/**
 * Runs sync passes that "die" at a chosen call (to either store or to the checkpoint store),
 * before the call or after it took effect, abandons the engine as a killed process would, and
 * starts a new one on the same checkpoint directory. Not thread-safe.
 */
final class CrashScenario {
    final InMemoryStore sourceData;
    final InMemoryStore targetData;
    private final InstrumentedStore source;
    private final InstrumentedStore target;
    private final Path checkpointDir;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile int crashAt = -1;
    private volatile boolean crashAfter;
    int crashes;

    /** What the target stores of the bytes sent (the identity, unless a test rewrites them). */
    private final java.util.function.UnaryOperator<byte[]> stored;

    CrashScenario(Path dir, InMemoryStore sourceData, InMemoryStore targetData) {
        this(dir, sourceData, targetData, t -> t, b -> b);
    }

    /**
     * @param targetWrapper wraps the target store (e.g. one that rewrites what it stores)
     * @param stored what the wrapped target stores of the bytes sent, for {@link #assertConverged}
     */
    CrashScenario(
            Path dir,
            InMemoryStore sourceData,
            InMemoryStore targetData,
            java.util.function.UnaryOperator<org.mailsync.spi.MailStore> targetWrapper,
            java.util.function.UnaryOperator<byte[]> stored) {
        this.sourceData = sourceData;
        this.targetData = targetData;
        this.stored = stored;
        this.source = new InstrumentedStore(sourceData);
        this.target = new InstrumentedStore(targetWrapper.apply(targetData));
        this.checkpointDir = dir;
        InstrumentedStore.Hook hook = new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) {
                tick(op, false);
            }

            @Override
            public void after(String op, FolderPath folder) {
                tick(op, true);
            }
        };
        source.hook(hook);
        target.hook(hook);
    }

    /** Call numbers of the calls under way on this thread (an appendAll holds its appends). */
    private final ThreadLocal<java.util.ArrayDeque<Integer>> open = ThreadLocal.withInitial(java.util.ArrayDeque::new);

    /** Counts a call; dies at the chosen one, and stays dead (every later call dies too). */
    private void tick(String op, boolean afterCall) {
        if (dead.get()) {
            throw new InstrumentedStore.Crash("(already dead) at " + op);
        }
        if (!afterCall) {
            int n = calls.incrementAndGet();
            open.get().push(n);
            if (n == crashAt && !crashAfter) {
                dead.set(true);
                throw new InstrumentedStore.Crash("before call " + n + " (" + op + ")");
            }
            return;
        }
        int n = open.get().pop();
        if (n == crashAt && crashAfter) {
            dead.set(true);
            throw new InstrumentedStore.Crash("after call " + n + " (" + op + ")");
        }
    }

    /** Calls made so far. */
    int calls() {
        return calls.get();
    }

    /** Dies at call {@code n} (counted from the start of the scenario), before or after it. */
    void crashAt(int n, boolean after) {
        crashAt = n;
        crashAfter = after;
    }

    private final class CountingCheckpoints implements CheckpointStore {
        private final CheckpointStore delegate;

        CountingCheckpoints(CheckpointStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<CheckpointRecord> snapshot(String key) throws IOException {
            return delegate.snapshot(key);
        }

        @Override
        public List<CheckpointRecord> journal(String key) throws IOException {
            return delegate.journal(key);
        }

        @Override
        public void save(CheckpointRecord snapshot) throws IOException {
            tick("checkpoint.save", false);
            delegate.save(snapshot);
            tick("checkpoint.save", true);
        }

        @Override
        public void append(CheckpointRecord entry) throws IOException {
            tick("checkpoint.journal", false);
            delegate.append(entry);
            tick("checkpoint.journal", true);
        }
    }

    private SyncEngine engine(DeletionPolicy deletions) throws IOException {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(new CountingCheckpoints(FileCheckpointStore.in(checkpointDir)))
                .deletions(deletions)
                .batchSize(3)
                .parallelism(2)
                .retries(0, Duration.ZERO)
                // Random histories delete whole folders' worth of messages around generation
                // changes; the safety stop for that is tested on its own in SyncEngineTest.
                .rematchThreshold(0)
                .build();
    }

    /** One pass; if it dies, a new engine ("after a restart") runs the pass again, alive. */
    void pass(DeletionPolicy deletions) throws Exception {
        try {
            engine(deletions).run();
        } catch (InstrumentedStore.Crash crash) {
            crashes++;
            dead.set(false);
            open.remove();
            crashAt = -1;
            SyncReport again = engine(deletions).run();
            assertThat(again.accountError()).isNull();
        }
    }

    /** After clean passes: every source message once on the target, same bytes, flags, dates. */
    void assertConverged() throws Exception {
        assertConverged(null);
    }

    /**
     * After clean passes: every source message once on the target, same bytes, flags, dates. With
     * {@code deletedBytes} (when the target renumbered a folder): target messages that no longer
     * match a source message cannot be told from mail the target had, so a message the source
     * deleted may stay; then every source message must be on the target (by bytes) and each extra
     * must be a message the source deleted.
     */
    void assertConverged(@org.jspecify.annotations.Nullable Multiset<String> deletedBytes) throws Exception {
        crashAt = -1;
        dead.set(false);
        engine(DeletionPolicy.MIRROR).run();
        SyncReport last = engine(DeletionPolicy.MIRROR).run();
        assertThat(last.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        for (FolderInfo folder : sourceData.listFolders()) {
            Multiset<MailboxAssertions.Snapshot> want = HashMultiset.create();
            for (MailboxAssertions.Snapshot m : MailboxAssertions.multiset(sourceData, folder.path())) {
                byte[] bytes = stored.apply(m.bytes().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                want.add(new MailboxAssertions.Snapshot(
                        new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1), m.flags(), m.internalDate()));
            }
            Multiset<MailboxAssertions.Snapshot> have =
                    targetData.listFolders().stream().anyMatch(t -> t.path().equals(folder.path()))
                            ? MailboxAssertions.multiset(targetData, folder.path())
                            : HashMultiset.create();
            if (deletedBytes == null) {
                assertThat(have).as("folder %s", folder.path()).isEqualTo(want);
                continue;
            }
            Multiset<String> wantBytes = HashMultiset.create();
            want.forEach(m -> wantBytes.add(m.bytes()));
            Multiset<String> haveBytes = HashMultiset.create();
            have.forEach(m -> haveBytes.add(m.bytes()));
            for (String bytes : wantBytes.elementSet()) {
                assertThat(haveBytes.count(bytes))
                        .as("copies on the target in %s", folder.path())
                        .isGreaterThanOrEqualTo(wantBytes.count(bytes));
            }
            for (String bytes : haveBytes.elementSet()) {
                assertThat(haveBytes.count(bytes) - wantBytes.count(bytes))
                        .as("extra copies in %s must be messages the source deleted", folder.path())
                        .isLessThanOrEqualTo(deletedBytes.count(bytes));
            }
        }
    }
}
