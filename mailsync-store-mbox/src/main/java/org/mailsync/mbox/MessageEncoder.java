package org.mailsync.mbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.mailsync.Flags;
import org.mailsync.RawMessage;
import org.mailsync.spi.support.Headers;

/**
 * Writes one message into an mbox file: its {@code From } line (envelope sender and internal date),
 * our flag headers, the message with {@code From } lines escaped as the format says and, in an LF
 * file, each CRLF written as LF; then the separating line end. Streams the message (twice for the
 * Content-Length formats: once to measure the body).
 *
 * <p>Thread-safe (stateless).
 */
final class MessageEncoder {
    private static final int BUFFER_SIZE = 64 * 1024;

    private MessageEncoder() {}

    /** What to write besides the message. */
    record Envelope(
            Flags flags,
            Instant internalDate,
            long uid,
            @Nullable String imapBase,
            MboxFormat format,
            LineEnding lineEnding,
            boolean thunderbird) {}

    /** Writes the whole entry (From line to separator) and returns the number of bytes written. */
    static long write(OutputStream out, RawMessage raw, Envelope env) throws IOException {
        byte[] eol = env.lineEnding() == LineEnding.LF ? new byte[] {'\n'} : new byte[] {'\r', '\n'};
        String returnPath = null;
        List<String> paths = Headers.parse(Headers.readHeaderBlock(raw)).get("return-path");
        if (!paths.isEmpty()) {
            returnPath = paths.get(0);
        }
        long written = 0;
        written += line(out, FromLine.format(FromLine.senderOf(returnPath), env.internalDate()), eol);
        if (env.imapBase() != null) {
            written += line(out, env.imapBase(), eol);
        }
        for (String header : StatusHeaders.linesFor(env.flags(), env.thunderbird(), StatusHeaders.PADDING)) {
            written += line(out, header, eol);
        }
        if (env.format().framedByContentLength()) {
            long body;
            try (InputStream in = raw.openStream()) {
                body = encode(in, OutputStream.nullOutputStream(), env.format(), env.lineEnding());
            }
            if (body >= 0) {
                written += line(out, "Content-Length: " + body, eol);
            }
        }
        // Last, and never folded: a message whose first line starts with white space cannot
        // become a continuation of a header we take out again on reading.
        written += line(out, "X-UID: " + env.uid(), eol);
        try (InputStream in = raw.openStream()) {
            CountingStream counting = new CountingStream(out);
            encode(in, counting, env.format(), env.lineEnding());
            written += counting.count;
        }
        out.write(eol);
        return written + eol.length;
    }

    /** Spaces left after X-IMAPbase's keywords, so that new keywords can be listed in place. */
    static final int KEYWORD_ROOM = 300;

    /**
     * The header line of our uid state for the first message of a file, as Dovecot writes it:
     * UIDVALIDITY, uidnext in 10 digits (so it can be raised in place) and the keywords in use,
     * padded with spaces.
     */
    static String imapBase(long uidValidity, long uidNext, Collection<String> keywords) {
        StringBuilder line = new StringBuilder("X-IMAPbase: ")
                .append(uidValidity)
                .append(' ')
                .append(String.format("%010d", uidNext));
        for (String keyword : keywords) {
            line.append(' ').append(keyword);
        }
        return line.append(" ".repeat(KEYWORD_ROOM)).toString();
    }

    private static int line(OutputStream out, String text, byte[] eol) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        out.write(bytes);
        out.write(eol);
        return bytes.length + eol.length;
    }

    /**
     * Encodes the message into {@code out}; returns the number of bytes written after the header
     * block as the reader finds it (the first empty line, or the first line that is not a header
     * field), or -1 if the message has no body at all.
     */
    static long encode(InputStream in, OutputStream out, MboxFormat format, LineEnding lineEnding) throws IOException {
        boolean lf = lineEnding == LineEnding.LF;
        byte[] buf = new byte[BUFFER_SIZE];
        int pos = 0;
        int lim = 0;
        boolean eof = false;
        boolean atLineStart = true;
        boolean inHeader = true;
        boolean pendingCr = false;
        long body = -1;
        while (true) {
            // Make sure a line start sees its whole line, or at least a full buffer of it.
            int nl = indexOf(buf, pos, lim);
            if (nl < 0 && !eof && (pos > 0 || lim < buf.length)) {
                if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, lim - pos);
                    lim -= pos;
                    pos = 0;
                }
                int n = in.read(buf, lim, buf.length - lim);
                if (n < 0) {
                    eof = true;
                } else {
                    lim += n;
                }
                continue;
            }
            if (pos == lim) {
                break;
            }
            int end = nl >= 0 ? nl + 1 : lim;
            long outBefore = 0;
            if (atLineStart) {
                if (inHeader) {
                    String kind = classify(buf, pos, end);
                    if (kind.equals("empty")) {
                        inHeader = false;
                        body = 0;
                        outBefore = -1; // this line still belongs to the header block
                    } else if (kind.equals("body")) {
                        inHeader = false;
                        body = 0;
                    }
                }
                if (needsEscape(buf, pos, end - pos, format)) {
                    out.write('>');
                    if (!inHeader && outBefore == 0) {
                        body++;
                    }
                }
            }
            int start = pos;
            int len = end - pos;
            long emitted = 0;
            if (lf) {
                if (pendingCr) {
                    pendingCr = false;
                    if (!(len >= 1 && buf[start] == '\n')) {
                        out.write('\r');
                        emitted++;
                    }
                }
                if (nl >= 0 && len >= 2 && buf[end - 2] == '\r') {
                    out.write(buf, start, len - 2);
                    out.write('\n');
                    emitted += len - 1;
                } else if (nl < 0 && buf[end - 1] == '\r') {
                    out.write(buf, start, len - 1);
                    emitted += len - 1;
                    pendingCr = true;
                } else {
                    out.write(buf, start, len);
                    emitted += len;
                }
            } else {
                out.write(buf, start, len);
                emitted += len;
            }
            if (!inHeader && outBefore == 0) {
                body += emitted;
            }
            atLineStart = nl >= 0;
            pos = end;
        }
        if (pendingCr) {
            out.write('\r');
            if (!inHeader) {
                body++;
            }
        }
        return body;
    }

    private static int indexOf(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** How the reader sees a line of the header block: "empty", "header" (or continuation), "body". */
    private static String classify(byte[] buf, int start, int end) {
        int len = end - start;
        if ((len == 1 && buf[start] == '\n') || (len == 2 && buf[start] == '\r' && buf[start + 1] == '\n')) {
            return "empty";
        }
        byte first = buf[start];
        if (first == ' ' || first == '\t') {
            return "header";
        }
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b == ':') {
                return i > start ? "header" : "body";
            }
            if (b <= ' ' || b >= 0x7f) {
                return "body";
            }
        }
        return "body";
    }

    private static boolean needsEscape(byte[] buf, int start, int len, MboxFormat format) {
        int i = start;
        int end = start + len;
        switch (format) {
            case MBOXCL2:
                return false;
            case MBOXRD:
                while (i < end && buf[i] == '>') {
                    i++;
                }
                break;
            default:
                break;
        }
        return end - i >= 5
                && buf[i] == 'F'
                && buf[i + 1] == 'r'
                && buf[i + 2] == 'o'
                && buf[i + 3] == 'm'
                && buf[i + 4] == ' ';
    }

    /** Counts what passes through. Not thread-safe. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
