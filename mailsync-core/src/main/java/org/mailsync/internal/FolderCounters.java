package org.mailsync.internal;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.mailsync.AlteredMessage;
import org.mailsync.FolderPair;
import org.mailsync.FolderReport;
import org.mailsync.MessageFailure;
import org.mailsync.SkippedItem;

/**
 * The numbers and lists of one folder pass that end up in its {@link FolderReport}: what was
 * copied (messages and the bytes actually appended), found already present, flag-updated,
 * deleted, left out by the selection, keywords dropped, messages that failed, items the store
 * skipped, and messages the target stored altered.
 *
 * <p>Thread-safe: the reader thread records failures while the folder's thread counts the rest.
 */
final class FolderCounters {
    private long copied;
    private long copiedBytes;
    private long alreadyPresent;
    private long flagsUpdated;
    private long deleted;
    private long skippedBySelection;
    private long keywordsDropped;
    private final List<MessageFailure> failures = new ArrayList<>();
    private final List<SkippedItem> skipped = new ArrayList<>();
    private final List<AlteredMessage> altered = new ArrayList<>();

    /** One message copied: {@code bytes} read and appended (or, in a dry run, listed). */
    synchronized void copied(long bytes) {
        copied++;
        copiedBytes += bytes;
    }

    synchronized long copied() {
        return copied;
    }

    /** One source message found on the target already (identity matching): paired, not copied. */
    synchronized void alreadyPresent() {
        alreadyPresent++;
    }

    synchronized void flagsUpdated(int messages) {
        flagsUpdated += messages;
    }

    synchronized void deleted(int messages) {
        deleted += messages;
    }

    /** One message the selection left out. */
    synchronized void skippedBySelection() {
        skippedBySelection++;
    }

    /** One message copied without its keywords (the target cannot hold them). */
    synchronized void keywordsDropped() {
        keywordsDropped++;
    }

    synchronized void failed(MessageFailure failure) {
        failures.add(failure);
    }

    synchronized boolean anyFailed() {
        return !failures.isEmpty();
    }

    synchronized void skipped(Collection<SkippedItem> items) {
        skipped.addAll(items);
    }

    synchronized void altered(AlteredMessage message) {
        altered.add(message);
    }

    /** The report of this pass as counted so far. */
    synchronized FolderReport report(
            FolderPair pair, FolderReport.Outcome outcome, @Nullable String error, Duration took) {
        return new FolderReport(
                pair,
                outcome,
                copied,
                copiedBytes,
                alreadyPresent,
                flagsUpdated,
                deleted,
                skippedBySelection,
                keywordsDropped,
                ImmutableList.copyOf(failures),
                ImmutableList.copyOf(skipped),
                error,
                took,
                ImmutableList.copyOf(altered));
    }
}
