package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailsync.AlteredMessage;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MessageFailure;
import org.mailsync.MessageUid;
import org.mailsync.SkippedItem;

class FolderCountersTest {
    private static final FolderPair PAIR = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);

    @Test
    void everyCountLandsInItsPlaceOfTheReport() {
        FolderCounters c = new FolderCounters();
        c.copied(100);
        c.copied(23);
        c.alreadyPresent();
        c.flagsUpdated(4);
        c.deleted(2);
        c.skippedBySelection();
        c.skippedBySelection();
        c.keywordsDropped();
        c.skipped(List.of(new SkippedItem("cur/.hidden", "not a message")));
        c.altered(new AlteredMessage(MessageUid.of(1), MessageUid.of(9), 10, 12));

        FolderReport r = c.report(PAIR, FolderReport.Outcome.SYNCED, null, Duration.ofSeconds(3));

        assertThat(r.copied()).isEqualTo(2);
        assertThat(r.copiedBytes()).isEqualTo(123);
        assertThat(r.alreadyPresent()).isEqualTo(1);
        assertThat(r.flagsUpdated()).isEqualTo(4);
        assertThat(r.deleted()).isEqualTo(2);
        assertThat(r.skippedBySelection()).isEqualTo(2);
        assertThat(r.keywordsDropped()).isEqualTo(1);
        assertThat(r.skipped()).hasSize(1);
        assertThat(r.altered()).hasSize(1);
        assertThat(r.failures()).isEmpty();
        assertThat(c.anyFailed()).isFalse();
        assertThat(c.copied()).isEqualTo(2);
    }

    @Test
    void failuresFromSeveralThreadsAreAllKeptAndAReportIsACopy() throws Exception {
        FolderCounters c = new FolderCounters();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int base = t * 1000;
            Thread thread = new Thread(() -> {
                for (int i = 1; i <= 500; i++) {
                    c.failed(new MessageFailure(
                            ErrorContext.of("memory:source", FolderPath.INBOX, MessageUid.of(base + i)), "refused"));
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        FolderReport before = c.report(PAIR, FolderReport.Outcome.SYNCED, null, Duration.ZERO);
        c.failed(new MessageFailure(ErrorContext.of("memory:source", FolderPath.INBOX), "one more"));

        assertThat(before.failures()).hasSize(2000);
        assertThat(c.report(PAIR, FolderReport.Outcome.SYNCED, null, Duration.ZERO)
                        .failures())
                .hasSize(2001);
        assertThat(c.anyFailed()).isTrue();
    }
}
