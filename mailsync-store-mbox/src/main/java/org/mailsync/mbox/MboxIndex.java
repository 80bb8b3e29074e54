package org.mailsync.mbox;

import java.util.List;

/**
 * What a scan of one mbox file found: its messages in file order with their ids, the uid state
 * from an {@code X-IMAPbase} (or c-client {@code X-IMAP}) header, and the problems met.
 *
 * <p>Immutable once built.
 */
final class MboxIndex {
    final List<MboxEntry> entries;
    /** UIDVALIDITY from the first message's X-IMAPbase/X-IMAP header; 0 if none. */
    final long uidValidity;
    /** The next id: above every id, and at least the header's uidnext. */
    final long uidNext;
    /** Where the 10 uidnext digits of our own X-IMAPbase header sit, or -1. */
    final long uidNextDigitsOffset;
    /** Keywords listed in our X-IMAPbase header (Dovecot only honours X-Keywords listed there). */
    final List<String> baseKeywords;
    /** Length of the keyword area after the uidnext digits (padded with spaces for in-place growth). */
    final int keywordAreaLength;
    /** Offset of the first From line (bytes before it are not part of any message). */
    final long firstFromOffset;

    final long scannedSize;
    final boolean endsWithNewline;
    final List<MboxProblem> problems;
    final long thunderbirdExpunged;

    MboxIndex(
            List<MboxEntry> entries,
            long uidValidity,
            long uidNext,
            long uidNextDigitsOffset,
            List<String> baseKeywords,
            int keywordAreaLength,
            long firstFromOffset,
            long scannedSize,
            boolean endsWithNewline,
            List<MboxProblem> problems,
            long thunderbirdExpunged) {
        this.entries = entries;
        this.uidValidity = uidValidity;
        this.uidNext = uidNext;
        this.uidNextDigitsOffset = uidNextDigitsOffset;
        this.baseKeywords = baseKeywords;
        this.keywordAreaLength = keywordAreaLength;
        this.firstFromOffset = firstFromOffset;
        this.scannedSize = scannedSize;
        this.endsWithNewline = endsWithNewline;
        this.problems = problems;
        this.thunderbirdExpunged = thunderbirdExpunged;
    }
}
