package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.DeletionPolicy;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.SyncEngine;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.InstrumentedStore;

/** An engine is configured once, at build(), and runs one pass at a time. */
class EngineConfigurationTest {
    @TempDir
    Path tmp;

    private static long targetCount(SyncFixture f) throws Exception {
        try (MailFolder inbox = f.targetData.openFolder(FolderPath.INBOX)) {
            return inbox.status().messageCount();
        }
    }

    @Test
    void aBuilderChangedAfterBuildChangesNoEngineBuiltFromIt() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("one", "1"), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, message("two", "2"), Flags.NONE);
        SyncEngine.Builder builder = f.engine();
        SyncEngine engine = builder.build();
        AtomicInteger eventsOfLateListener = new AtomicInteger();
        builder.dryRun(true).deletions(DeletionPolicy.MIRROR).batchSize(1).listener(new SyncListener() {
            @Override
            public void runStarted(int folderPairs) {
                eventsOfLateListener.incrementAndGet();
            }
        });

        SyncReport report = engine.run();

        assertThat(report.folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.SYNCED);
        assertThat(report.copied()).isEqualTo(2);
        assertThat(targetCount(f)).isEqualTo(2);
        assertThat(eventsOfLateListener).hasValue(0);
        assertThat(engine.configuration().dryRun()).isFalse();
        assertThat(engine.configuration().deletions()).isEqualTo(DeletionPolicy.KEEP);
        assertThat(engine.configuration().batchSize()).isEqualTo(300);
        // The builder's later settings are its own: an engine built from it now has them.
        assertThat(builder.build().configuration().dryRun()).isTrue();
    }

    @Test
    void aSecondRunOfTheSameEngineWhileOneRunsIsRefusedAndRunningAgainAfterwardsIsAllowed() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 10; i++) {
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
        SyncEngine engine = f.engine().build();
        CompletableFuture<SyncReport> first = CompletableFuture.supplyAsync(() -> {
            try {
                return engine.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(engine::run)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("running a pass already");
            assertThat(targetCount(f)).isZero();
        } finally {
            goOn.countDown();
        }
        assertThat(first.get(30, TimeUnit.SECONDS).copied()).isEqualTo(10);

        put(f.sourceData, FolderPath.INBOX, message("late", "new"), Flags.NONE);
        SyncReport delta = engine.run();
        assertThat(delta.copied()).isEqualTo(1);
        assertThat(targetCount(f)).isEqualTo(11);
    }

    @Test
    void everySettingIsMadeOnceAndTheSecondTimeNamesTheFirstValue() throws Exception {
        SyncEngine.Builder builder = new SyncFixture(tmp).engine().dryRun(false).batchSize(7);
        assertThatThrownBy(() -> builder.dryRun(true)).hasMessage("dryRun was already set to false");
        assertThatThrownBy(() -> builder.batchSize(8)).hasMessage("batchSize was already set to 7");
        assertThatThrownBy(() -> builder.retries(1, Duration.ZERO))
                .hasMessage("retries was already set to 2 with a first back-off of PT0S");
        assertThatThrownBy(() -> builder.checkpointDirectory(tmp))
                .hasMessageStartingWith("checkpoints was already set to ");
        assertThatThrownBy(() -> builder.parallelism(0)).hasMessage("parallelism must be 1..64, not 0");
    }
}
