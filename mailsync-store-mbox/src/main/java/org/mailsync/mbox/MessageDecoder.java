package org.mailsync.mbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;

/**
 * Streams one message out of an mbox file as the SPI hands it on: the flag headers taken out,
 * {@code >From } lines unescaped as the message's variant says, and in an LF file each bare LF
 * turned into CRLF. {@link MboxScanner} counts exactly these bytes as the message's size.
 *
 * <p>Thread-safe (stateless).
 */
final class MessageDecoder {
    private static final int BUFFER_SIZE = 64 * 1024;

    private MessageDecoder() {}

    static void copy(FileChannel channel, MboxEntry entry, OutputStream out) throws IOException {
        LineSource src = new LineSource(channel, entry.contentStart, entry.contentEnd, BUFFER_SIZE);
        src.seek(entry.contentStart);
        // Lines are short (76 bytes of base64): gather them here rather than call out per line.
        byte[] pending = new byte[BUFFER_SIZE];
        int pendingLength = 0;
        long[] cuts = entry.cuts;
        int cut = 0;
        while (src.next()) {
            long offset = src.offset();
            while (cut < cuts.length && cuts[cut + 1] <= offset) {
                cut += 2;
            }
            if (cut < cuts.length && cuts[cut] <= offset) {
                continue;
            }
            byte[] buf = src.buf();
            int start = src.start();
            int length = src.length();
            if (src.atLineStart() && MboxEntry.escaped(buf, start, length, entry.unescape)) {
                start++;
                length--;
            }
            boolean addCr = src.endsLine() && !entry.crlf && !src.crlf();
            int needed = length + (addCr ? 1 : 0);
            if (pendingLength + needed > pending.length) {
                out.write(pending, 0, pendingLength);
                pendingLength = 0;
            }
            if (needed > pending.length) {
                // A segment as large as the buffer itself: straight through.
                if (addCr) {
                    out.write(buf, start, length - 1);
                    out.write('\r');
                    out.write('\n');
                } else {
                    out.write(buf, start, length);
                }
                continue;
            }
            if (addCr) {
                System.arraycopy(buf, start, pending, pendingLength, length - 1);
                pendingLength += length - 1;
                pending[pendingLength++] = '\r';
                pending[pendingLength++] = '\n';
            } else {
                System.arraycopy(buf, start, pending, pendingLength, length);
                pendingLength += length;
            }
        }
        out.write(pending, 0, pendingLength);
    }
}
