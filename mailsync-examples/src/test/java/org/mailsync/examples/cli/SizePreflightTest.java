package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailsync.FolderSize;
import org.mailsync.StoreCapacity;

/** The size preflight's verdicts: every limit the target states, against what the source holds. */
class SizePreflightTest {
    private static SizePreflight.Source source(long bound, FolderSize... sizes) {
        return new SizePreflight.Source(
                java.util.Arrays.stream(sizes)
                        .map(s -> new SizePreflight.Folder("F", s))
                        .toList(),
                bound);
    }

    @Test
    void whatTheTargetAlreadyHoldsCountsAgainstTheQuota() {
        StoreCapacity target = StoreCapacity.UNKNOWN.withStorage(8_000_000, 10_000_000);
        SizePreflight.Report r = SizePreflight.judge(source(0, new FolderSize(10, 4_500_001, 500_000L, 0)), target);
        assertThat(r.fit()).isEqualTo(SizePreflight.Fit.DOES_NOT_FIT);
        assertThat(r.verdict()).startsWith("does not fit by 3 MB"); // 2,500,001 bytes short, rounded up
        assertThat(SizePreflight.judge(source(0, new FolderSize(10, 2_000_000, null, 0)), target)
                        .fit())
                .isEqualTo(SizePreflight.Fit.FITS);
    }

    @Test
    void aMessageQuotaIsCheckedOnItsOwn() {
        StoreCapacity target = StoreCapacity.UNKNOWN.withMessages(95, 100);
        SizePreflight.Report r = SizePreflight.judge(source(0, new FolderSize(6, 10, null, 0)), target);
        assertThat(r.verdict()).isEqualTo("does not fit by 1 messages (needs 6, the quota leaves 5)");
    }

    @Test
    void messagesAboveTheAppendLimitFailWhetherCountedOrOnlyTheLargestKnown() {
        StoreCapacity target = StoreCapacity.UNKNOWN.withMaxMessageSize(10_000_000);
        assertThat(SizePreflight.judge(source(10_000_000, new FolderSize(3, 30_000_000, 12_000_000L, 2)), target)
                        .verdict())
                .isEqualTo("2 message(s) larger than the target's APPENDLIMIT of 10.0 MB (largest 12.0 MB)");
        assertThat(SizePreflight.judge(source(10_000_000, new FolderSize(3, 30_000_000, 12_000_000L, 0)), target)
                        .fit())
                .isEqualTo(SizePreflight.Fit.DOES_NOT_FIT);
        SizePreflight.Report below =
                SizePreflight.judge(source(10_000_000, new FolderSize(3, 3_000_000, 1_000_000L, 0)), target);
        assertThat(below.fit()).isEqualTo(SizePreflight.Fit.UNKNOWN); // no quota stated
        assertThat(below.verdict()).contains("no message above the target's APPENDLIMIT of 10.0 MB");
    }

    @Test
    void aTargetThatStatesNothingIsUnknownAndNeverFails() {
        SizePreflight.Report r = SizePreflight.judge(source(0, new FolderSize(1, 1, 1L, 0)), StoreCapacity.UNKNOWN);
        assertThat(r.fit()).isEqualTo(SizePreflight.Fit.UNKNOWN);
        assertThat(r.verdict()).isEqualTo("quota unknown (the target states none)");
        assertThat(r.toText("a -> b")).contains("no quota stated, no APPENDLIMIT stated");
        assertThat(List.of(r.source().messages(), r.source().bytes())).containsExactly(1L, 1L);
    }
}
