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
    private static final byte[] CRLF = {'\r', '\n'};
    private static final int BUFFER_SIZE = 64 * 1024;

    private MessageDecoder() {}

    static void copy(FileChannel channel, MboxEntry entry, OutputStream out) throws IOException {
        LineSource src = new LineSource(channel, entry.contentStart, entry.contentEnd, BUFFER_SIZE);
        src.seek(entry.contentStart);
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
            if (src.endsLine() && !entry.crlf && !src.crlf()) {
                out.write(buf, start, length - 1);
                out.write(CRLF);
            } else {
                out.write(buf, start, length);
            }
        }
    }
}
