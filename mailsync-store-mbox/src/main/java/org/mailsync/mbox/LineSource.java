package org.mailsync.mbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a region of a file as line segments without holding more than one buffer: a line longer
 * than the buffer comes as several segments, of which only the first is at a line start. File
 * offsets are longs throughout, so multi-GB files work.
 *
 * <p>Not thread-safe; confine to one thread. Uses positional reads, so it shares its channel with
 * other readers.
 */
final class LineSource {
    private final FileChannel channel;
    private final byte[] buf;
    private final ByteBuffer wrapper;
    private long limitOffset;
    private long bufStart;
    private int pos;
    private int lim;
    private boolean eof;
    private boolean nextAtLineStart = true;
    private int prevByte = '\n';

    /** The current segment: {@code buf()[start() .. start() + length())}. */
    private int segStart;

    private int segLen;
    private long segOffset;
    private boolean atLineStart;
    private boolean endsLine;
    private boolean crlf;
    private long nulOffset = -1;

    LineSource(FileChannel channel, long from, long to, int bufferSize) {
        this.channel = channel;
        this.buf = new byte[bufferSize];
        this.wrapper = ByteBuffer.wrap(buf);
        this.limitOffset = to;
        this.bufStart = from;
    }

    /** Moves to {@code offset}, which must be the start of a line. */
    void seek(long offset) {
        bufStart = offset;
        pos = 0;
        lim = 0;
        eof = false;
        nextAtLineStart = true;
        prevByte = '\n';
    }

    /** Reads the next segment; false at the end of the region. */
    boolean next() throws IOException {
        atLineStart = nextAtLineStart;
        int scanFrom = pos;
        int nl;
        while (true) {
            nl = indexOfNewline(scanFrom, lim);
            if (nl >= 0) {
                break;
            }
            if (eof || (pos == 0 && lim == buf.length)) {
                break;
            }
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                bufStart += pos;
                lim -= pos;
                scanFrom -= pos;
                pos = 0;
            }
            int before = lim;
            fill();
            scanFrom = before;
            if (lim == before && eof && lim == pos) {
                return false;
            }
        }
        int end = nl >= 0 ? nl + 1 : lim;
        if (end == pos) {
            return false;
        }
        segStart = pos;
        segLen = end - pos;
        segOffset = bufStart + pos;
        endsLine = nl >= 0;
        if (endsLine) {
            crlf = segLen >= 2 ? buf[end - 2] == '\r' : prevByte == '\r';
        } else {
            crlf = false;
        }
        prevByte = buf[end - 1];
        nextAtLineStart = endsLine;
        pos = end;
        return true;
    }

    private int indexOfNewline(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b == '\n') {
                return i;
            }
            if (b == 0 && nulOffset < 0) {
                nulOffset = bufStart + i;
            }
        }
        return -1;
    }

    private void fill() throws IOException {
        long fileOffset = bufStart + lim;
        long want = Math.min(buf.length - lim, limitOffset - fileOffset);
        if (want <= 0) {
            eof = true;
            return;
        }
        wrapper.limit(lim + (int) want).position(lim);
        int n = channel.read(wrapper, fileOffset);
        if (n <= 0) {
            eof = true;
            return;
        }
        lim += n;
    }

    byte[] buf() {
        return buf;
    }

    int start() {
        return segStart;
    }

    int length() {
        return segLen;
    }

    /** File offset of the segment's first byte. */
    long offset() {
        return segOffset;
    }

    /** File offset just past the segment. */
    long endOffset() {
        return segOffset + segLen;
    }

    boolean atLineStart() {
        return atLineStart;
    }

    /** Whether the segment ends with LF (it is then the last segment of its line). */
    boolean endsLine() {
        return endsLine;
    }

    /** Whether the segment's LF is preceded by CR (which may sit in the previous segment). */
    boolean crlf() {
        return crlf;
    }

    /** Whether the line, as far as this segment shows, is empty (just LF or CRLF). */
    boolean isEmptyLine() {
        return atLineStart && endsLine && (segLen == 1 || (segLen == 2 && buf[segStart] == '\r'));
    }

    /** Whether the segment starts with {@code prefix} (ASCII). */
    boolean startsWith(byte[] prefix) {
        if (segLen < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf[segStart + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Offset of the first NUL byte seen since the last call, or -1; resets it. */
    long takeNulOffset() {
        long n = nulOffset;
        nulOffset = -1;
        return n;
    }
}
