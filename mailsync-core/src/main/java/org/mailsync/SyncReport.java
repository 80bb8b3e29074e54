package org.mailsync;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a pass did: a report per folder pair, what the source store skipped (files that are not
 * mail, links, names it cannot represent), notes (folders mapped by special use, ...), an
 * account-level error if the pass had to stop, and a verdict.
 *
 * <p>Immutable.
 */
public record SyncReport(
        ImmutableList<FolderReport> folders,
        ImmutableList<SkippedItem> skipped,
        ImmutableList<String> notes,
        @Nullable String accountError,
        Duration duration) {

    /** The overall result of a pass. */
    public enum Verdict {
        /** Every selected message is on the target. */
        COMPLETE,
        /**
         * Every folder was synced, but some messages failed, or something in the source was
         * skipped (see the folder reports and {@link #skipped()}).
         */
        COMPLETE_WITH_SKIPS,
        /** A folder or the whole account could not be synced. */
        FAILED
    }

    public Verdict verdict() {
        if (accountError != null || folders.stream().anyMatch(f -> f.outcome() == FolderReport.Outcome.FAILED)) {
            return Verdict.FAILED;
        }
        if (!skipped.isEmpty()
                || folders.stream()
                        .anyMatch(f -> !f.failures().isEmpty() || !f.skipped().isEmpty())) {
            return Verdict.COMPLETE_WITH_SKIPS;
        }
        return Verdict.COMPLETE;
    }

    public Optional<String> optionalAccountError() {
        return Optional.ofNullable(accountError);
    }

    public long copied() {
        return folders.stream().mapToLong(FolderReport::copied).sum();
    }

    public long copiedBytes() {
        return folders.stream().mapToLong(FolderReport::copiedBytes).sum();
    }

    public long alreadyPresent() {
        return folders.stream().mapToLong(FolderReport::alreadyPresent).sum();
    }

    public long flagsUpdated() {
        return folders.stream().mapToLong(FolderReport::flagsUpdated).sum();
    }

    public long deleted() {
        return folders.stream().mapToLong(FolderReport::deleted).sum();
    }

    /** Messages the target stored other than they were sent, in all folders. */
    public long altered() {
        return folders.stream().mapToLong(f -> f.altered().size()).sum();
    }

    public long failed() {
        return folders.stream().mapToLong(f -> f.failures().size()).sum();
    }

    /** Items skipped in the source, the store's and every folder's. */
    public long skippedItems() {
        return skipped.size()
                + folders.stream().mapToLong(f -> f.skipped().size()).sum();
    }

    /** The report as a table for a terminal or a log. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%-40s %-9s %7s %7s %7s %7s %7s %7s%n",
                "folder", "outcome", "copied", "present", "flags", "deleted", "skipped", "failed"));
        for (FolderReport f : folders) {
            out.append(String.format(
                    "%-40s %-9s %7d %7d %7d %7d %7d %7d%n",
                    truncate(f.pair().toString(), 40),
                    f.outcome(),
                    f.copied(),
                    f.alreadyPresent(),
                    f.flagsUpdated(),
                    f.deleted(),
                    f.skippedBySelection(),
                    f.failures().size()));
            if (f.error() != null) {
                out.append("    error: ").append(f.error()).append('\n');
            }
            for (MessageFailure failure : f.failures()) {
                out.append("    failed: ").append(failure).append('\n');
            }
            for (SkippedItem item : f.skipped()) {
                out.append("    skipped: ").append(item).append('\n');
            }
            for (AlteredMessage altered : f.altered()) {
                out.append("    altered: ").append(altered).append('\n');
            }
            if (f.keywordsDropped() > 0) {
                out.append("    keywords dropped (target keeps none) on ")
                        .append(f.keywordsDropped())
                        .append(" messages\n");
            }
        }
        for (SkippedItem item : skipped) {
            out.append("skipped: ").append(item).append('\n');
        }
        for (String note : notes) {
            out.append("note: ").append(note).append('\n');
        }
        if (accountError != null) {
            out.append("account error: ").append(accountError).append('\n');
        }
        out.append(String.format(
                "verdict: %s (%d copied, %d MB, %d already present, %d flag updates, %d deleted, %d failed, %d skipped, %.1f s)%n",
                verdict(),
                copied(),
                copiedBytes() / 1_000_000,
                alreadyPresent(),
                flagsUpdated(),
                deleted(),
                failed(),
                skippedItems(),
                duration.toMillis() / 1000.0));
        return out.toString();
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
