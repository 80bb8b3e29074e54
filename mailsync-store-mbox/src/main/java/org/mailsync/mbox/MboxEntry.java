package org.mailsync.mbox;

import java.time.Instant;
import org.mailsync.Flags;

/**
 * Where one message sits in an mbox file and what its headers said. Offsets are absolute file
 * offsets: {@code fromOffset} is the start of its {@code From } line, {@code contentStart} the byte
 * after that line, {@code contentEnd} the end of the message's bytes (the separating line end
 * excluded) and {@code end} the start of the next message (or the end of the file).
 *
 * <p>Immutable once the scanner has built it.
 */
final class MboxEntry {
    /** Line-start unescaping: none (mboxcl2), one {@code >} off {@code >From } (mboxo, mboxcl). */
    static final int UNESCAPE_NONE = 0;

    static final int UNESCAPE_MBOXO = 1;
    /** One {@code >} off any {@code >+From } line (mboxrd). */
    static final int UNESCAPE_MBOXRD = 2;

    final long ordinal;
    final long fromOffset;
    final long contentStart;
    final long contentEnd;
    final long end;
    final boolean crlf;
    final int unescape;
    final long[] cuts;
    final long size;
    final Flags flags;
    final Instant internalDate;
    final String fromLine;
    final long xuid;
    final long contentLength;
    final boolean thunderbirdExpunged;
    final boolean pseudo;
    /**
     * The contiguous run of status lines (Status, X-Status, X-Keywords, X-Mozilla-*), which a flag
     * change may overwrite in place with lines of the same total length; -1 if there is none or
     * other lines sit between them.
     */
    final long flagRegionStart;

    final long flagRegionEnd;
    /** Where the internal date came from: one of the {@code DATE_} constants. */
    final int dateSource;

    long id;

    /** The internal date is the From line's. */
    static final int DATE_FROM_LINE = 0;
    /** From the Date header, the From line having none we can read. */
    static final int DATE_HEADER = 1;
    /** As {@link #DATE_HEADER}, from a Date header without a zone (read as UTC). */
    static final int DATE_HEADER_NO_ZONE = 2;
    /** From the file's modification time: neither the From line nor a Date header had one. */
    static final int DATE_FILE_TIME = 3;

    MboxEntry(
            long ordinal,
            long fromOffset,
            long contentStart,
            long contentEnd,
            long end,
            boolean crlf,
            int unescape,
            long[] cuts,
            long size,
            Flags flags,
            Instant internalDate,
            String fromLine,
            long xuid,
            long contentLength,
            boolean thunderbirdExpunged,
            boolean pseudo,
            long flagRegionStart,
            long flagRegionEnd,
            int dateSource) {
        this.ordinal = ordinal;
        this.fromOffset = fromOffset;
        this.contentStart = contentStart;
        this.contentEnd = contentEnd;
        this.end = end;
        this.crlf = crlf;
        this.unescape = unescape;
        this.cuts = cuts;
        this.size = size;
        this.flags = flags;
        this.internalDate = internalDate;
        this.fromLine = fromLine;
        this.xuid = xuid;
        this.contentLength = contentLength;
        this.thunderbirdExpunged = thunderbirdExpunged;
        this.pseudo = pseudo;
        this.flagRegionStart = flagRegionStart;
        this.flagRegionEnd = flagRegionEnd;
        this.dateSource = dateSource;
    }

    /** This entry with other flags (after an in-place change of its status lines). */
    MboxEntry withFlags(Flags newFlags) {
        MboxEntry copy = new MboxEntry(
                ordinal,
                fromOffset,
                contentStart,
                contentEnd,
                end,
                crlf,
                unescape,
                cuts,
                size,
                newFlags,
                internalDate,
                fromLine,
                xuid,
                contentLength,
                thunderbirdExpunged,
                pseudo,
                flagRegionStart,
                flagRegionEnd,
                dateSource);
        copy.id = id;
        return copy;
    }

    /** Whether a line (given as a segment at its start) is an escaped {@code From } line. */
    static boolean escaped(byte[] buf, int start, int length, int unescape) {
        if (unescape == UNESCAPE_NONE || length < 6 || buf[start] != '>') {
            return false;
        }
        int i = start + 1;
        int end = start + length;
        if (unescape == UNESCAPE_MBOXRD) {
            while (i < end && buf[i] == '>') {
                i++;
            }
        }
        return end - i >= 5
                && buf[i] == 'F'
                && buf[i + 1] == 'r'
                && buf[i + 2] == 'o'
                && buf[i + 3] == 'm'
                && buf[i + 4] == ' ';
    }
}
