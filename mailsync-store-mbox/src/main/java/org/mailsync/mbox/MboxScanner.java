package org.mailsync.mbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.MailDates;

/**
 * Splits an mbox file into messages in one streaming pass, working out for each the bytes that
 * {@link MessageDecoder} will hand on (so its size is known without reading it twice), its flags,
 * internal date and id.
 *
 * <p>Splitting: a line starting {@code From } ends the message before it when its date parses, or
 * when it follows an empty line (jwz's rule), or it is the file's first. A valid {@code
 * Content-Length} (one that ends just before a separating line end and the next {@code From } line,
 * or at the end of the file) frames the body instead, where the format allows it.
 *
 * <p>Not thread-safe; one scanner per scan.
 */
final class MboxScanner {
    static final int BUFFER_SIZE = 1 << 20;
    /** How the one per-folder note on internal dates taken from a fallback starts. */
    static final String DATE_SUMMARY = "internal dates: ";

    private final FileChannel channel;
    private final long fileSize;
    private final @Nullable MboxFormat forced;
    private final Instant fallbackDate;
    private final List<MboxEntry> entries = new ArrayList<>();
    private final List<MboxProblem> problems = new ArrayList<>();
    private long uidValidity;
    private long uidNextHeader;
    private long uidNextDigitsOffset = -1;
    private int keywordAreaLength;
    private List<String> baseKeywords = List.of();
    private long firstFromOffset = -1;
    private @Nullable Message cur;
    private boolean prevLineEmpty = true;
    private boolean prevLineComplete = true;

    private MboxScanner(FileChannel channel, long fileSize, @Nullable MboxFormat forced, Instant fallbackDate) {
        this.channel = channel;
        this.fileSize = fileSize;
        this.forced = forced;
        this.fallbackDate = fallbackDate;
    }

    /**
     * Scans {@code channel} up to {@code fileSize}. With a {@code previous} index of the same file
     * that only grew since, the scan restarts at its last message and keeps the rest.
     */
    static MboxIndex scan(
            FileChannel channel,
            long fileSize,
            @Nullable MboxFormat forced,
            Instant fallbackDate,
            @Nullable MboxIndex previous)
            throws IOException {
        MboxScanner scanner = new MboxScanner(channel, fileSize, forced, fallbackDate);
        long start = 0;
        if (previous != null && !previous.entries.isEmpty()) {
            MboxEntry last = previous.entries.get(previous.entries.size() - 1);
            start = last.fromOffset;
            scanner.entries.addAll(previous.entries.subList(0, previous.entries.size() - 1));
            for (MboxProblem p : previous.problems) {
                if (p.offset() < start && !p.description().startsWith(DATE_SUMMARY)) {
                    scanner.problems.add(p);
                }
            }
            scanner.uidValidity = previous.uidValidity;
            scanner.firstFromOffset = previous.firstFromOffset;
            scanner.uidNextDigitsOffset = previous.uidNextDigitsOffset;
            scanner.keywordAreaLength = previous.keywordAreaLength;
            scanner.baseKeywords = previous.baseKeywords;
            scanner.uidNextHeader = previous.uidNext;
            // The header's uidnext may have been raised in place since: read it again below.
        }
        return scanner.run(start);
    }

    private MboxIndex run(long start) throws IOException {
        LineSource src = new LineSource(channel, start, fileSize, BUFFER_SIZE);
        src.seek(start);
        long garbage = -1;
        long blankLines = 0;
        boolean onlyBlank = true;
        boolean bom = false;
        while (src.next()) {
            long nul = src.takeNulOffset();
            if (nul >= 0 && cur != null && !cur.nulReported) {
                cur.nulReported = true;
                problems.add(new MboxProblem(
                        nul, cur.ordinal, "NUL byte in the message; kept as it is (IMAP servers may refuse it)"));
            }
            // A UTF-8 byte order mark right before the first From line (editors add one).
            int skip = cur == null && src.offset() == 0 && startsWithBom(src) ? BOM.length : 0;
            if (skip > 0) {
                bom = true;
            }
            if (src.atLineStart()
                    && startsWith(src, skip, FromLine.PREFIX)
                    && (cur == null || !cur.inFramedBody(src))) {
                String line = lineText(src, skip);
                FromLine.Parsed parsed = FromLine.parse(line);
                boolean accept = cur == null || parsed.date() != null || (prevLineEmpty && prevLineComplete);
                if (accept) {
                    if (cur != null) {
                        finish(cur, src.offset());
                    } else if (firstFromOffset < 0) {
                        firstFromOffset = src.offset() + skip;
                        if (garbage >= 0 || skip > 0) {
                            problems.add(new MboxProblem(
                                    0, 0, skipped(firstFromOffset - Math.max(0, garbage), bom, onlyBlank, blankLines)));
                        }
                    }
                    cur = new Message(entries.size() + 1, src, skip, line, parsed);
                    if (!src.endsLine()) {
                        skipRestOfLine(src);
                    }
                    cur.contentStart = src.endOffset();
                    prevLineEmpty = false;
                    prevLineComplete = true;
                    continue;
                }
            }
            if (cur == null) {
                if (garbage < 0) {
                    garbage = src.offset();
                }
                if (src.atLineStart() && src.endsLine() && isBlank(src, skip)) {
                    blankLines++;
                } else {
                    onlyBlank = false;
                }
            } else {
                cur.line(src);
            }
            if (src.atLineStart()) {
                prevLineEmpty = src.isEmptyLine();
            }
            prevLineComplete = src.endsLine();
        }
        if (cur != null) {
            finish(cur, fileSize);
        } else if (fileSize > 0 && entries.isEmpty()) {
            throw new NotMboxException(firstBytes());
        }
        return index();
    }

    private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    private static boolean startsWithBom(LineSource src) {
        return startsWith(src, 0, BOM);
    }

    private static boolean startsWith(LineSource src, int skip, byte[] prefix) {
        if (src.length() < skip + prefix.length) {
            return false;
        }
        byte[] buf = src.buf();
        for (int i = 0; i < prefix.length; i++) {
            if (buf[src.start() + skip + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the line holds only white space (after {@code skip} bytes). */
    private static boolean isBlank(LineSource src, int skip) {
        byte[] buf = src.buf();
        for (int i = src.start() + skip; i < src.start() + src.length(); i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** What was skipped before the first From line, in words a user recognises. */
    private static String skipped(long bytes, boolean bom, boolean onlyBlank, long blankLines) {
        if (onlyBlank) {
            List<String> what = new ArrayList<>();
            if (bom) {
                what.add("a UTF-8 byte order mark");
            }
            if (blankLines > 0) {
                what.add(blankLines + " blank line(s)");
            }
            return String.join(" and ", what) + " before the first From line; skipped (the messages are read)";
        }
        return bytes + " bytes before the first From line are not part of any message; skipped";
    }

    /**
     * Whether the first bytes of a file look like an mbox: empty, or a {@code From } line after at
     * most a UTF-8 byte order mark and blank lines (which the scanner skips and notes). For the
     * folder listing, so that it takes the same files as folders that the scanner reads.
     *
     * @param head the file's first bytes (a few KiB; blank lines beyond them are not looked past)
     */
    static boolean looksLikeMbox(byte[] head) {
        if (head.length == 0) {
            return true;
        }
        int i = head.length >= 3 && head[0] == BOM[0] && head[1] == BOM[1] && head[2] == BOM[2] ? 3 : 0;
        int lineStart = i;
        while (i < head.length) {
            byte b = head[i];
            if (b == '\n') {
                lineStart = ++i;
            } else if ((b == ' ' || b == '\t' || b == '\r')) {
                i++;
            } else {
                break;
            }
        }
        if (head.length - lineStart < FromLine.PREFIX.length) {
            return false;
        }
        for (int k = 0; k < FromLine.PREFIX.length; k++) {
            if (head[lineStart + k] != FromLine.PREFIX[k]) {
                return false;
            }
        }
        return true;
    }

    private String firstBytes() throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(40, fileSize));
        channel.read(b, 0);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < b.position(); i++) {
            int c = b.get(i) & 0xff;
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return out.toString();
    }

    private void skipRestOfLine(LineSource src) throws IOException {
        while (!src.endsLine() && src.next()) {
            // a From line longer than the buffer: its tail carries nothing we use
        }
    }

    private static String lineText(LineSource src, int skip) {
        int len = src.length() - skip;
        if (src.endsLine()) {
            len -= src.crlf() && len >= 2 ? 2 : 1;
        }
        return new String(src.buf(), src.start() + skip, Math.max(0, len), StandardCharsets.ISO_8859_1);
    }

    private MboxIndex index() throws IOException {
        long next = 1;
        long expunged = 0;
        for (MboxEntry e : entries) {
            if (e.pseudo) {
                continue;
            }
            if (e.xuid >= next) {
                e.id = e.xuid;
            } else {
                if (e.xuid > 0) {
                    problems.add(new MboxProblem(
                            e.fromOffset,
                            e.ordinal,
                            "X-UID " + e.xuid + " is not above the previous message's; numbered " + next + " instead"));
                }
                e.id = next;
            }
            next = e.id + 1;
            if (e.thunderbirdExpunged) {
                expunged++;
            }
        }
        if (uidNextDigitsOffset >= 0) {
            // Read again: we raise uidnext and add keywords in place on append.
            ByteBuffer digits = ByteBuffer.allocate(10 + keywordAreaLength);
            channel.read(digits, uidNextDigitsOffset);
            String text = new String(digits.array(), 0, digits.position(), StandardCharsets.ISO_8859_1);
            try {
                uidNextHeader = Math.max(uidNextHeader, Long.parseLong(text.substring(0, 10)));
                baseKeywords = words(text.substring(10));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                uidNextDigitsOffset = -1;
            }
        }
        boolean endsWithNewline = true;
        if (fileSize > 0) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, fileSize - 1);
            endsWithNewline = last.get(0) == '\n';
        }
        dateSummary().ifPresent(problems::add);
        problems.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return new MboxIndex(
                List.copyOf(entries),
                uidValidity,
                Math.max(next, uidNextHeader),
                uidNextDigitsOffset,
                baseKeywords,
                keywordAreaLength,
                Math.max(0, firstFromOffset),
                fileSize,
                endsWithNewline,
                List.copyOf(problems),
                expunged);
    }

    /**
     * One note for the whole file on messages whose From line has no date we can read, with
     * counts, rather than one per message: where their internal dates came from instead.
     */
    private Optional<MboxProblem> dateSummary() {
        @Nullable MboxEntry first = null;
        long[] counts = new long[4];
        for (MboxEntry e : entries) {
            if (e.dateSource != MboxEntry.DATE_FROM_LINE) {
                counts[e.dateSource]++;
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first == null) {
            return Optional.empty();
        }
        long total = counts[1] + counts[2] + counts[3];
        List<String> sources = new ArrayList<>();
        if (counts[1] + counts[2] > 0) {
            sources.add("the Date header for " + (counts[1] + counts[2])
                    + (counts[2] > 0 ? " (" + counts[2] + " of them without a zone, read as UTC)" : ""));
        }
        if (counts[3] > 0) {
            sources.add("the file's modification time for " + counts[3]);
        }
        return Optional.of(new MboxProblem(
                first.fromOffset,
                first.ordinal,
                DATE_SUMMARY + total + " message(s) have no date we can read on their From line (the first is"
                        + " message " + first.ordinal + ", \"" + first.fromLine + "\"); internal date taken from "
                        + String.join(" and from ", sources)));
    }

    private void finish(Message m, long end) throws IOException {
        m.flushHeader();
        long contentEnd;
        long size = m.size;
        if (m.framedEnd >= 0) {
            contentEnd = Math.min(m.framedEnd, end);
        } else if (m.lastEnd == end && m.lastEndsLine) {
            int sepLen = m.crlf && m.lastCrlf ? 2 : 1;
            contentEnd = end - sepLen;
            size -= m.crlf ? sepLen : (m.lastCrlf ? 1 : 2);
        } else if (m.lastCutEnd == end && end > m.contentStart) {
            contentEnd = end - (m.crlf && m.lastCutCrlf ? 2 : 1);
        } else {
            contentEnd = end;
            if (end == fileSize && end > m.contentStart) {
                problems.add(new MboxProblem(
                        end,
                        m.ordinal,
                        "the last message does not end with a line end: the file may be truncated; read as"
                                + " far as it goes"));
            }
        }
        Instant date = m.parsed.date();
        int dateSource = MboxEntry.DATE_FROM_LINE;
        if (date == null) {
            MailDates.Parsed fromHeader = m.dateHeader == null
                    ? null
                    : FromLine.parseDateHeader(m.dateHeader).orElse(null);
            if (fromHeader != null) {
                date = fromHeader.instant();
                dateSource = fromHeader.zoneAssumed() ? MboxEntry.DATE_HEADER_NO_ZONE : MboxEntry.DATE_HEADER;
            } else {
                date = fallbackDate;
                dateSource = MboxEntry.DATE_FILE_TIME;
            }
        }
        if (!m.status.badKeywords().isEmpty()) {
            problems.add(new MboxProblem(
                    m.fromOffset, m.ordinal, "keywords that are not IMAP atoms dropped: " + m.status.badKeywords()));
        }
        long[] cuts = Arrays.copyOf(m.cuts, m.cutCount);
        sortPairs(cuts);
        entries.add(new MboxEntry(
                m.ordinal,
                m.fromOffset,
                m.contentStart,
                contentEnd,
                end,
                m.crlf,
                m.unescape,
                cuts,
                size,
                m.status.flags(),
                date,
                m.fromLine,
                m.xuid,
                m.framedEnd >= 0 ? m.contentLengthValue : -1,
                m.status.thunderbirdExpunged(),
                m.pseudo,
                m.flagRegionBroken ? -1 : m.flagRegionStart,
                m.flagRegionBroken ? -1 : m.flagRegionEnd,
                dateSource));
    }

    private static void sortPairs(long[] cuts) {
        int n = cuts.length / 2;
        long[][] pairs = new long[n][];
        for (int i = 0; i < n; i++) {
            pairs[i] = new long[] {cuts[2 * i], cuts[2 * i + 1]};
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        for (int i = 0; i < n; i++) {
            cuts[2 * i] = pairs[i][0];
            cuts[2 * i + 1] = pairs[i][1];
        }
    }

    /** One message being scanned. */
    private final class Message {
        final long ordinal;
        final long fromOffset;
        final String fromLine;
        final FromLine.Parsed parsed;
        final boolean crlf;
        long contentStart;
        int unescape;
        long size;
        final StatusHeaders status = new StatusHeaders();
        long[] cuts = new long[8];
        int cutCount;
        boolean inHeader = true;
        boolean cuttingLine;
        StatusHeaders.@Nullable Kind headerKind;
        boolean headerCut;

        @Nullable
        StringBuilder pendingValue;

        StatusHeaders.@Nullable Kind pendingKind;
        /** Where the message's first lines stand in the grammar of our own block. */
        int blockState = StatusHeaders.BLOCK_START;
        /**
         * Whether the message starts with our own block: then only that block is flags, and every
         * later header line (Status, X-UID, Content-Length ...) is the message's own content.
         */
        boolean ours;

        int escapedHeaderLines;
        long lastEnd = -1;
        boolean lastEndsLine;
        boolean lastCrlf;
        long lastCutEnd = -1;
        boolean lastCutCrlf;
        long contentLengthValue = -1;
        long contentLengthStart = -1;
        long contentLengthEnd = -1;
        long contentLengthOut;
        boolean inContentLengthLine;
        long framedEnd = -1;
        long xuid;
        boolean pseudo;

        @Nullable
        String dateHeader;

        boolean nulReported;
        long flagRegionStart = -1;
        long flagRegionEnd = -1;
        boolean flagRegionBroken;

        Message(long ordinal, LineSource src, int skip, String fromLine, FromLine.Parsed parsed) {
            this.ordinal = ordinal;
            this.fromOffset = src.offset() + skip;
            this.fromLine = fromLine;
            this.parsed = parsed;
            this.crlf = src.endsLine() && src.crlf();
            MboxFormat f = forced;
            this.unescape = f == null || f == MboxFormat.MBOXRD
                    ? MboxEntry.UNESCAPE_MBOXRD
                    : f == MboxFormat.MBOXCL2 ? MboxEntry.UNESCAPE_NONE : MboxEntry.UNESCAPE_MBOXO;
        }

        boolean framingAllowed() {
            return forced == null || forced.framedByContentLength();
        }

        boolean inFramedBody(LineSource src) {
            return framedEnd >= 0 && src.offset() < framedEnd;
        }

        void cut(long from, long to) {
            if (cutCount > 0 && cuts[cutCount - 1] == from) {
                cuts[cutCount - 1] = to;
                return;
            }
            if (cutCount + 2 > cuts.length) {
                cuts = Arrays.copyOf(cuts, cuts.length * 2);
            }
            cuts[cutCount++] = from;
            cuts[cutCount++] = to;
        }

        void line(LineSource src) throws IOException {
            if (framedEnd >= 0 && src.offset() >= framedEnd) {
                return; // the separator after a framed body
            }
            if (inHeader) {
                header(src);
                return;
            }
            count(src);
        }

        private void header(LineSource src) throws IOException {
            if (!src.atLineStart()) {
                if (cuttingLine) {
                    cutSegment(src);
                } else {
                    long before = size;
                    count(src);
                    if (inContentLengthLine) {
                        contentLengthOut += size - before;
                        contentLengthEnd = src.endOffset();
                    }
                }
                return;
            }
            inContentLengthLine = false;
            boolean blockEnds = false;
            if (blockState != StatusHeaders.BLOCK_FAILED && blockState != StatusHeaders.BLOCK_DONE) {
                // The block's lines are handled below just as a foreign message's status lines
                // are (taken out, read as flags); what changes once it is complete is the rest.
                blockState = src.endsLine()
                        ? StatusHeaders.nextBlockState(blockState, text(src, 0))
                        : StatusHeaders.BLOCK_FAILED;
                blockEnds = blockState == StatusHeaders.BLOCK_DONE;
            }
            headerLine(src);
            if (blockEnds) {
                ours = true;
            }
        }

        private void headerLine(LineSource src) throws IOException {
            byte[] buf = src.buf();
            int s = src.start();
            if (src.isEmptyLine()) {
                flushHeader();
                count(src);
                endHeader(src.endOffset());
                return;
            }
            byte first = buf[s];
            if (first == ' ' || first == '\t') {
                if (headerCut && headerKind != null && headerKind.foldable()) {
                    if (pendingValue != null) {
                        pendingValue.append(text(src, 0));
                    }
                    cuttingLine = true;
                    cutSegment(src);
                } else {
                    cuttingLine = false;
                    if (pendingKind == StatusHeaders.Kind.DATE && pendingValue != null) {
                        pendingValue.append(text(src, 0));
                    }
                    count(src);
                }
                return;
            }
            flushHeader();
            int colon = -1;
            int n = src.length();
            for (int i = 0; i < n; i++) {
                byte b = buf[s + i];
                if (b == ':') {
                    colon = i;
                    break;
                }
                if (b <= ' ' || b >= 0x7f) {
                    break;
                }
            }
            if (colon <= 0) {
                // Not a header field: the body starts here (a message without a blank line).
                endHeader(src.offset());
                count(src);
                return;
            }
            String name = new String(buf, s, colon, StandardCharsets.US_ASCII);
            StatusHeaders.Kind kind = StatusHeaders.kindOf(name);
            if (ours && kind != StatusHeaders.Kind.DATE) {
                kind = null; // after our block, the message's own lines are its content
            }
            headerKind = kind;
            headerCut = kind != null && kind.flagHeader();
            if (kind == null) {
                cuttingLine = false;
                if (MboxEntry.escaped(buf, s, n, unescape)) {
                    escapedHeaderLines++;
                }
                count(src);
                return;
            }
            String value = text(src, colon + 1);
            if (headerCut) {
                cuttingLine = true;
                cutSegment(src);
                pendingKind = kind;
                pendingValue = new StringBuilder(value);
                if (kind == StatusHeaders.Kind.X_IMAPBASE || kind == StatusHeaders.Kind.X_IMAP) {
                    imapBase(kind, value, src.offset() + colon + 1);
                } else if (kind == StatusHeaders.Kind.X_UID) {
                    xuid = parseLong(value.trim());
                }
                return;
            }
            cuttingLine = false;
            if (kind == StatusHeaders.Kind.CONTENT_LENGTH) {
                long before = size;
                count(src);
                contentLengthValue = parseLong(value.trim());
                if (contentLengthValue <= 0 && !value.trim().equals("0")) {
                    contentLengthValue = -1;
                }
                contentLengthStart = src.offset();
                contentLengthEnd = src.endOffset();
                contentLengthOut = size - before;
                inContentLengthLine = true;
                return;
            }
            pendingKind = kind;
            pendingValue = new StringBuilder(value);
            count(src);
        }

        private void imapBase(StatusHeaders.Kind kind, String value, long valueOffset) {
            if (ordinal != 1) {
                return; // only the first message's header counts
            }
            if (kind == StatusHeaders.Kind.X_IMAP) {
                pseudo = true;
            }
            String[] parts = value.trim().split("[ \t]+");
            if (parts.length >= 2) {
                uidValidity = parseLong(parts[0]);
                uidNextHeader = parseLong(parts[1]);
                if (kind == StatusHeaders.Kind.X_IMAPBASE && parts[1].length() == 10) {
                    int digits = value.indexOf(parts[1], value.indexOf(parts[0]) + parts[0].length());
                    uidNextDigitsOffset = valueOffset + digits;
                    keywordAreaLength = value.length() - digits - 10;
                }
                baseKeywords = words(String.join(" ", List.of(parts).subList(2, parts.length)));
            }
        }

        void flushHeader() {
            if (pendingKind != null && pendingValue != null) {
                if (pendingKind == StatusHeaders.Kind.DATE) {
                    dateHeader = pendingValue.toString();
                } else if (pendingKind.flagHeader()) {
                    status.add(pendingKind, pendingValue.toString());
                }
            }
            pendingKind = null;
            pendingValue = null;
        }

        private void endHeader(long bodyStart) throws IOException {
            inHeader = false;
            if (contentLengthValue < 0 || !framingAllowed()) {
                return;
            }
            long target = bodyStart + contentLengthValue;
            if (validFrame(target)) {
                framedEnd = target;
                cut(contentLengthStart, contentLengthEnd);
                size -= contentLengthOut;
                if (forced == MboxFormat.MBOXCL) {
                    unescape = MboxEntry.UNESCAPE_MBOXO;
                } else {
                    if (unescape != MboxEntry.UNESCAPE_NONE) {
                        size += escapedHeaderLines; // counted as unescaped, but cl2 keeps them
                    }
                    unescape = MboxEntry.UNESCAPE_NONE;
                }
            } else if (forced != null) {
                problems.add(new MboxProblem(
                        contentLengthStart,
                        ordinal,
                        "Content-Length " + contentLengthValue
                                + " does not end at the next From line; message split at From lines instead"));
            }
        }

        private boolean validFrame(long target) throws IOException {
            if (target == fileSize) {
                return true;
            }
            if (target > fileSize) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(7);
            channel.read(b, target);
            int n = b.position();
            byte[] a = b.array();
            int sep = n >= 1 && a[0] == '\n' ? 1 : n >= 2 && a[0] == '\r' && a[1] == '\n' ? 2 : 0;
            if (sep == 0) {
                return false;
            }
            if (target + sep == fileSize) {
                return true;
            }
            return n >= sep + 5
                    && a[sep] == 'F'
                    && a[sep + 1] == 'r'
                    && a[sep + 2] == 'o'
                    && a[sep + 3] == 'm'
                    && a[sep + 4] == ' ';
        }

        private void cutSegment(LineSource src) {
            cut(src.offset(), src.endOffset());
            if (headerKind != null && headerKind.statusLine()) {
                if (flagRegionStart < 0) {
                    flagRegionStart = src.offset();
                } else if (src.offset() != flagRegionEnd) {
                    flagRegionBroken = true;
                }
                flagRegionEnd = src.endOffset();
            }
            if (src.endsLine()) {
                lastCutEnd = src.endOffset();
                lastCutCrlf = src.crlf();
            }
        }

        private void count(LineSource src) {
            long from = src.offset();
            long to = src.endOffset();
            if (framedEnd >= 0 && to > framedEnd) {
                to = framedEnd;
            }
            if (to <= from) {
                return;
            }
            boolean fullLine = src.endsLine() && to == src.endOffset();
            long out = to - from;
            if (src.atLineStart() && MboxEntry.escaped(src.buf(), src.start(), (int) (to - from), unescape)) {
                out--;
            }
            if (fullLine && !crlf && !src.crlf()) {
                out++;
            }
            size += out;
            lastEnd = to;
            lastEndsLine = fullLine;
            lastCrlf = src.crlf();
        }

        private String text(LineSource src, int skip) {
            int len = src.length() - skip;
            if (src.endsLine()) {
                len -= src.crlf() && len >= 2 ? 2 : 1;
            }
            return new String(src.buf(), src.start() + skip, Math.max(0, len), StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.trim().split("[ \t]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return List.copyOf(out);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The file holds no From line at all: it is not an mbox. */
    static final class NotMboxException extends IOException {
        private static final long serialVersionUID = 1L;

        NotMboxException(String firstBytes) {
            super("not an mbox file: no line starts with \"From \" (it begins \"" + firstBytes + "\")");
        }
    }
}
