package org.mailsync.spi.support;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Turns every bare LF (one not preceded by CR) into CRLF and leaves everything else alone: what
 * Dovecot's IMAP does when it serves a message stored with LF line ends.
 *
 * <p>Shared by the stores that serve messages kept with LF line ends (Maildir, folders of .eml
 * files). Not thread-safe; confine to one thread.
 */
public final class CrlfInputStream extends FilterInputStream {
    private int previous = -1;
    private boolean pendingLf;
    private byte[] chunk = new byte[0];

    public CrlfInputStream(InputStream in) {
        super(in);
    }

    /** How many bytes {@code bytes[0, length)} grow to under this conversion. */
    public static long convertedSize(byte[] bytes, int length, int previousByte) {
        long size = length;
        int prev = previousByte;
        for (int i = 0; i < length; i++) {
            int b = bytes[i];
            if (b == '\n' && prev != '\r') {
                size++;
            }
            prev = b;
        }
        return size;
    }

    @Override
    public int read() throws IOException {
        if (pendingLf) {
            pendingLf = false;
            previous = '\n';
            return '\n';
        }
        int b = in.read();
        if (b == '\n' && previous != '\r') {
            pendingLf = true;
            previous = '\r';
            return '\r';
        }
        previous = b;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        if (pendingLf) {
            b[off + n++] = '\n';
            pendingLf = false;
            previous = '\n';
        }
        // Read at most half the room, so that every byte read can double.
        int room = Math.min((len - n) / 2, 64 * 1024);
        if (room == 0) {
            if (n > 0) {
                return n;
            }
            int single = read();
            if (single < 0) {
                return -1;
            }
            b[off] = (byte) single;
            return 1;
        }
        if (chunk.length < room) {
            chunk = new byte[room];
        }
        int got = in.read(chunk, 0, room);
        if (got < 0) {
            return n > 0 ? n : -1;
        }
        for (int i = 0; i < got; i++) {
            byte c = chunk[i];
            if (c == '\n' && previous != '\r') {
                b[off + n++] = '\r';
            }
            b[off + n++] = c;
            previous = c;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && read() >= 0) {
            skipped++;
        }
        return skipped;
    }

    @Override
    public int available() {
        return pendingLf ? 1 : 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
