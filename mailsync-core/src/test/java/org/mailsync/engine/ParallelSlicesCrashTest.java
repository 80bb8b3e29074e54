package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.DeletionPolicy;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.InstrumentedStore;

/**
 * Exactly once on the parallel path: one folder copied in several slices at once, the process
 * "killed" at the k-th append while another slice's append is out (so that several batches of one
 * folder are appended and not settled), then restarted on the same checkpoints. Whatever k, and
 * whether the kill comes before or after the k-th append reached the target, the target ends with
 * every source message once, byte-identical twins that lie in different slices included.
 */
class ParallelSlicesCrashTest {
    @TempDir
    Path tmp;

    private static final int MESSAGES = 60;

    /**
     * The target as a killed process sees it: appends (each message of a batch is one, as the
     * instrumented store hands them over) wait briefly until another slice's is out, the k-th dies before or after it took effect, and every call after that dies too, until the
     * restarted engine lists the folders.
     */
    private static final class DyingTarget extends ForwardingMailStore {
        private final int dieAt;
        private final boolean after;
        private final AtomicInteger appends = new AtomicInteger();
        private final AtomicInteger out = new AtomicInteger();
        private final AtomicBoolean dead = new AtomicBoolean();
        private volatile boolean restarted;
        /** Appends out (this one included) when the process died; 0 until then. */
        volatile int outAtDeath;

        DyingTarget(MailStore store, int dieAt, boolean after) {
            super(store);
            this.dieAt = dieAt;
            this.after = after;
        }

        @Override
        public List<FolderInfo> listFolders() throws MailStoreException {
            if (dead.get()) {
                restarted = true;
                dead.set(false);
            }
            return super.listFolders();
        }

        @Override
        public MailFolder openFolder(FolderPath path) throws MailStoreException {
            alive();
            return new Folder(super.openFolder(path));
        }

        @Override
        public Optional<MailFolder> tryOpenFolder(FolderPath path) throws MailStoreException {
            alive();
            return delegate().tryOpenFolder(path).map(Folder::new);
        }

        private void alive() {
            if (dead.get()) {
                throw new InstrumentedStore.Crash("(already dead)");
            }
        }

        private final class Folder extends ForwardingMailFolder {
            Folder(MailFolder folder) {
                super(folder);
            }

            @Override
            public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
                alive();
                int n = appends.incrementAndGet();
                out.incrementAndGet();
                try {
                    if (n == dieAt && !restarted) {
                        // Several slices in flight: wait (up to a second) for another append to be out.
                        long until = System.nanoTime() + 1_000_000_000L;
                        while (out.get() < 2 && System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        outAtDeath = out.get();
                        if (!after) {
                            dead.set(true);
                            throw new InstrumentedStore.Crash("before append " + n);
                        }
                        super.append(request);
                        dead.set(true);
                        throw new InstrumentedStore.Crash("after append " + n);
                    }
                    if (!restarted && n < dieAt) {
                        // Keep appends overlapping, as slices on real connections do.
                        long until = System.nanoTime() + 20_000_000L;
                        while (out.get() < 2 && System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                    }
                    Optional<MessageUid> id = super.append(request);
                    alive(); // appended, but the process died meanwhile: never settled
                    return id;
                } finally {
                    out.decrementAndGet();
                }
            }
        }
    }

    @Test
    void aKillWhileSeveralSlicesOfOneFolderAreInFlightConverges() throws Exception {
        int severalOut = 0;
        int runs = 0;
        for (boolean after : new boolean[] {false, true}) {
            for (int k = 1; k <= MESSAGES; k += 7) {
                InMemoryStore source = InMemoryStore.create("memory:source");
                InMemoryStore target = InMemoryStore.create("memory:target");
                byte[] twin = message("twin", "identical bytes in several slices");
                for (int i = 0; i < MESSAGES; i++) {
                    put(
                            source,
                            FolderPath.INBOX,
                            i % 20 == 7 ? twin : message("m" + i, "body " + i),
                            i % 3 == 0 ? Flags.of(org.mailsync.Flag.SEEN) : Flags.NONE);
                }
                DyingTarget[] dying = new DyingTarget[1];
                int dieAt = k;
                boolean dieAfter = after;
                CrashScenario s = new CrashScenario(
                        Files.createTempDirectory(tmp, "k" + k + (after ? "a" : "b")),
                        source,
                        target,
                        t -> dying[0] = new DyingTarget(t, dieAt, dieAfter),
                        b -> b);
                s.pass(DeletionPolicy.KEEP);
                assertThat(s.crashes).as("the kill at append %s happened", k).isEqualTo(1);
                s.assertConverged();
                runs++;
                if (dying[0].outAtDeath >= 2) {
                    severalOut++;
                }
            }
        }
        // Near the end of the folder only one slice may be left (slices finish at different
        // times), so not every kill has company; most must.
        assertThat(severalOut).as("kills with another slice's append out").isGreaterThanOrEqualTo(runs / 2);
    }
}
