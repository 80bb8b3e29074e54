package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.InstrumentedStore;

/** A source that lies about sizes does not reach the totals; folders and passes have deadlines. */
class SizesAndDeadlinesTest {
    @TempDir
    Path tmp;

    /** Lists every message 1,000,000 bytes larger than it is (a lying RFC822.SIZE). */
    private static final class LyingSizes extends ForwardingMailStore {
        LyingSizes(org.mailsync.spi.MailStore delegate) {
            super(delegate);
        }

        @Override
        public MailFolder openFolder(FolderPath path) throws MailStoreException {
            return new ForwardingMailFolder(delegate().openFolder(path)) {
                @Override
                public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
                    delegate()
                            .list(
                                    query,
                                    batch -> consumer.accept(batch.stream()
                                            .map(m -> new org.mailsync.MessageInfo(
                                                    m.uid(),
                                                    m.size() + 1_000_000,
                                                    m.flags(),
                                                    m.internalDate(),
                                                    m.modSeq()))
                                            .toList()));
                }
            };
        }
    }

    @Test
    void copiedBytesCountTheBytesAppendedNotTheSizesListed() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        long actual = 0;
        for (int i = 0; i < 5; i++) {
            byte[] m = message("m" + i, "body " + i);
            actual += m.length;
            put(f.sourceData, FolderPath.INBOX, m, Flags.NONE);
        }
        SyncReport report = SyncEngine.builder()
                .source(new LyingSizes(f.source))
                .target(f.target)
                .checkpoints(FileCheckpointStore.in(f.checkpoints))
                .retries(0, Duration.ZERO)
                .build()
                .run();
        assertThat(report.copied()).isEqualTo(5);
        assertThat(report.copiedBytes()).isEqualTo(actual);
        assertThat(report.altered()).isZero();
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    /** Each append takes an hour, as far as the engine's clock can tell. */
    private static AtomicBoolean slowAppends(SyncFixture f, TestClock clock) {
        AtomicBoolean slow = new AtomicBoolean(true);
        f.target.hook(new InstrumentedStore.Hook() {
            @Override
            public void after(String op, FolderPath folder) {
                if (op.equals("append") && slow.get()) {
                    clock.now.updateAndGet(t -> t.plus(Duration.ofHours(1)));
                }
            }
        });
        return slow;
    }

    @Test
    void aFolderPastItsDeadlineStopsIsReportedFailedAndTheNextPassGoesOn() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        FolderPath big = FolderPath.of("Big");
        for (int i = 0; i < 4; i++) {
            put(f.sourceData, big, message("m" + i, "b" + i), Flags.NONE);
        }
        TestClock clock = new TestClock();
        AtomicBoolean slow = slowAppends(f, clock);
        SyncReport report = f.engine()
                .clock(clock)
                .batchSize(1)
                .folderDeadline(Duration.ofMinutes(90))
                .build()
                .run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
        FolderReport folder = report.folders().stream()
                .filter(r -> r.pair().source().equals(big))
                .findFirst()
                .orElseThrow();
        assertThat(folder.outcome()).isEqualTo(FolderReport.Outcome.FAILED);
        assertThat(folder.error()).contains("folder deadline", "PT1H30M");
        assertThat(folder.copied()).isEqualTo(2);
        assertThat(report.toText()).contains("folder deadline");

        slow.set(false);
        SyncReport next = f.engine().clock(clock).build().run();
        assertThat(next.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(next.copied()).isEqualTo(2);
        assertSameMessages(f.sourceData, big, f.targetData, big);
    }

    @Test
    void aPassPastTheAccountDeadlineStopsItsFolders() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (String name : new String[] {"A", "B", "C"}) {
            for (int i = 0; i < 2; i++) {
                put(f.sourceData, FolderPath.of(name), message(name + i, "b" + i), Flags.NONE);
            }
        }
        TestClock clock = new TestClock();
        slowAppends(f, clock);
        SyncReport report = f.engine()
                .clock(clock)
                .batchSize(1)
                .parallelism(1)
                .accountDeadline(Duration.ofMinutes(150))
                .build()
                .run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
        assertThat(report.copied()).isEqualTo(3);
        assertThat(report.folders())
                .filteredOn(r -> r.outcome() == FolderReport.Outcome.FAILED)
                .isNotEmpty()
                .allMatch(r -> r.error().contains("account deadline"));
    }
}
