package org.mailsync;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one pass did to one folder pair.
 *
 * @param pair the folders
 * @param outcome how the folder ended
 * @param copied messages copied to the target (or, in a dry run, that would be)
 * @param copiedBytes their size
 * @param alreadyPresent messages found on the target by identity and not copied again
 * @param flagsUpdated messages whose flags changed on the target
 * @param deleted messages removed from the target (mirror deletions)
 * @param skippedBySelection messages left out by the message selection
 * @param keywordsDropped messages whose keywords the target could not hold
 * @param failures messages that failed, each with its reason
 * @param skipped what the folder holds that the store could not read (not counted as messages)
 * @param error why the folder failed as a whole, if it did
 * @param duration how long the folder took
 * @param altered messages the target stored other than they were sent (rewritten by the server)
 *     <p>Immutable.
 */
public record FolderReport(
        FolderPair pair,
        Outcome outcome,
        long copied,
        long copiedBytes,
        long alreadyPresent,
        long flagsUpdated,
        long deleted,
        long skippedBySelection,
        long keywordsDropped,
        ImmutableList<MessageFailure> failures,
        ImmutableList<SkippedItem> skipped,
        @Nullable String error,
        Duration duration,
        ImmutableList<AlteredMessage> altered) {

    /** A report without altered messages (the form before {@link #altered()} existed). */
    public FolderReport(
            FolderPair pair,
            Outcome outcome,
            long copied,
            long copiedBytes,
            long alreadyPresent,
            long flagsUpdated,
            long deleted,
            long skippedBySelection,
            long keywordsDropped,
            ImmutableList<MessageFailure> failures,
            ImmutableList<SkippedItem> skipped,
            @Nullable String error,
            Duration duration) {
        this(
                pair,
                outcome,
                copied,
                copiedBytes,
                alreadyPresent,
                flagsUpdated,
                deleted,
                skippedBySelection,
                keywordsDropped,
                failures,
                skipped,
                error,
                duration,
                ImmutableList.of());
    }

    /** How a folder ended. */
    public enum Outcome {
        /** Nothing changed on the source since the last pass: not even listed. */
        UNCHANGED,
        /** Synced; see the counts. */
        SYNCED,
        /** Synced in a dry run: the counts say what would have happened; nothing was written. */
        DRY_RUN,
        /** The folder could not be synced; see {@link #error()}. */
        FAILED
    }

    public Optional<String> optionalError() {
        return Optional.ofNullable(error);
    }

    /** Whether anything in this folder was left undone. */
    public boolean hasProblems() {
        return outcome == Outcome.FAILED || !failures.isEmpty() || !skipped.isEmpty();
    }
}
