package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.CheckpointBusyException;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.InstrumentedStore;

/** Issue 12.6: two runs on one checkpoint at once must not both copy (one writer per checkpoint). */
@Timeout(60)
class CheckpointLockTest {
    @TempDir
    Path tmp;

    private static int count(SyncFixture f) throws Exception {
        try (MailFolder inbox = f.targetData.openFolder(FolderPath.INBOX)) {
            return (int) inbox.status().messageCount();
        }
    }

    @Test
    void aSecondRunInAnotherThreadFailsFastAndWritesNothingThenRunsOnceTheFirstEnded() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 50; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "body " + i), Flags.NONE);
        }
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        AtomicBoolean blockOnce = new AtomicBoolean(true);
        f.source.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) {
                if (op.equals("list") && blockOnce.compareAndSet(true, false)) {
                    inside.countDown();
                    try {
                        goOn.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        CompletableFuture<SyncReport> first = CompletableFuture.supplyAsync(() -> {
            try {
                return f.engine().build().run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();

        // The same directory, spelled differently, from a store instance of its own.
        Files.createDirectories(tmp.resolve("elsewhere"));
        Path sameDir = tmp.resolve("elsewhere").resolve("..").resolve("checkpoints");
        SyncEngine second = SyncEngine.builder()
                .source(new InstrumentedStore(f.sourceData))
                .target(f.target)
                .checkpoints(FileCheckpointStore.in(sameDir))
                .build();
        long start = System.nanoTime();
        assertThatThrownBy(second::run)
                .isInstanceOf(CheckpointBusyException.class)
                .hasMessageContaining(sameDir.toString())
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(count(f)).isZero();

        goOn.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS).copied()).isEqualTo(50);
        SyncReport again = SyncEngine.builder()
                .source(new InstrumentedStore(f.sourceData))
                .target(f.target)
                .checkpoints(FileCheckpointStore.in(sameDir))
                .build()
                .run();
        assertThat(again.copied()).isZero();
        assertThat(count(f)).isEqualTo(50);
    }

    @Test
    void aStoreAskedToWaitGetsTheLockWhenTheHolderLetsGoAndGivesUpAfterItsWait() throws Exception {
        Path dir = tmp.resolve("cp");
        CheckpointLock held = FileCheckpointStore.in(dir).lock();
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(300);
                held.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        try (CheckpointLock waited =
                FileCheckpointStore.in(dir).waitForLock(Duration.ofSeconds(20)).lock()) {
            assertThat(waited).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            release.get();
            long before = System.nanoTime();
            assertThatThrownBy(() -> FileCheckpointStore.in(dir)
                            .waitForLock(Duration.ofMillis(200))
                            .lock())
                    .isInstanceOf(CheckpointBusyException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
        FileCheckpointStore.in(dir).lock().close();
    }

    @Test
    void aDryRunTakesNoLock() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("one", "1"), Flags.NONE);
        try (CheckpointLock held = FileCheckpointStore.in(f.checkpoints).lock()) {
            assertThat(held).isNotNull();
            SyncReport report = f.engine().dryRun(true).build().run();
            assertThat(report.accountError()).isNull();
        }
    }
}
