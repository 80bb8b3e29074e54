package org.mailsync.imap;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What one connection lets a server do, enforced on the bytes themselves, below Angus Mail: how
 * long it may take to greet, how slowly it may send (no meaningful progress for {@code
 * stallTimeout} of waiting is a lost connection, whatever the drip), how long an operation may run
 * in all ({@link Deadline}), and how large one response may be. The last matters because Angus
 * Mail's response reader allocates a literal's announced size at once: a FETCH announcing {@code
 * {2000000000}} would take 2 GB of heap before a byte of it arrives. The guard reads the response
 * grammar as it passes (lines, and literals announced as {@code {n}} at a line's end, as Angus
 * Mail reads them) and refuses an announcement above the bound before Angus Mail sees it.
 *
 * <p>Not thread-safe; confine to the connection's thread (the watchdog only closes the socket).
 */
final class WireGuard {
    /** Bytes that count as progress in one stall window. */
    static final int MIN_PROGRESS_BYTES = 1024;

    /** Writes are watched in pieces of this size, each of which must go out within the stall timeout. */
    private static final int WRITE_PIECE = 64 * 1024;

    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final Limits limits;
    private long connectedAt = System.nanoTime();
    private boolean greeted;
    private long windowWaited;
    private long windowBytes;

    /** The limits of one connection. */
    record Limits(Duration greetingTimeout, Duration readTimeout, Duration stallTimeout, long maxResponseSize) {}

    WireGuard(Limits limits) {
        this.limits = limits;
    }

    Limits limits() {
        return limits;
    }

    /** Reads the IMAP plain text from {@code socket} under the time limits and the size bound. */
    InputStream input(Socket socket, InputStream in) {
        return new GuardedInput(socket, in, new Lexer(limits.maxResponseSize()));
    }

    /**
     * Writes to {@code socket}; when a piece does not go out in time, {@code abort} closes what
     * lies below (for TLS the raw socket: closing the TLS socket would try to write once more).
     */
    OutputStream output(Socket socket, OutputStream out, java.io.Closeable abort) {
        return new GuardedOutput(socket, out, abort);
    }

    /** The TCP connection is up: the greeting timeout counts from now. */
    void connected() {
        connectedAt = System.nanoTime();
    }

    /** Before a TLS handshake: the same bounds, from the raw socket's side. */
    int handshakeTimeoutMillis() throws Violation {
        return millis(budget(System.nanoTime()));
    }

    /** A new command went out: the server gets a fresh stall window to answer it. */
    private void commandSent() {
        windowWaited = 0;
        windowBytes = 0;
    }

    /**
     * How long the next read may block, in nanoseconds; throws when a limit is already used up.
     * The read timeout (silence between two reads) is enforced by the caller.
     */
    private long budget(long now) throws Violation {
        long budget = limits.readTimeout().toNanos();
        if (!greeted) {
            long left = connectedAt + limits.greetingTimeout().toNanos() - now;
            if (left <= 0) {
                throw new Violation(
                        Violation.Kind.NO_GREETING,
                        "the server sent nothing within the greeting timeout of " + limits.greetingTimeout());
            }
            budget = Math.min(budget, left);
        }
        long stallLeft = limits.stallTimeout().toNanos() - windowWaited;
        if (stallLeft <= 0) {
            throw new Violation(
                    Violation.Kind.STALLED,
                    "the server stalled: fewer than " + MIN_PROGRESS_BYTES + " bytes in " + limits.stallTimeout()
                            + " of waiting (" + windowBytes + " bytes)");
        }
        budget = Math.min(budget, stallLeft);
        long deadlineLeft = Deadline.remainingNanos(now);
        if (deadlineLeft <= 0) {
            throw new Violation(
                    Violation.Kind.DEADLINE, "the operation deadline of " + Deadline.currentLength() + " passed");
        }
        return Math.min(budget, deadlineLeft);
    }

    private void waited(long nanos, int bytes) {
        windowWaited += nanos;
        if (bytes > 0) {
            greeted = true;
            windowBytes += bytes;
            if (windowBytes >= MIN_PROGRESS_BYTES) {
                windowWaited = 0;
                windowBytes = 0;
            }
        }
    }

    private static int millis(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mailsync-imap-watchdog");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** A server broke a limit; the connection cannot be used any more. */
    static final class Violation extends IOException {
        private static final long serialVersionUID = 1L;

        enum Kind {
            /** Larger than this store accepts: a protocol error, never retried. */
            TOO_LARGE,
            /** The server answered something that cannot be true (a UID twice with two bodies). */
            PROTOCOL,
            NO_GREETING,
            STALLED,
            DEADLINE
        }

        private final Kind kind;

        Violation(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        Kind kind() {
            return kind;
        }

        /** Never null: every violation is made with its message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        /** Whether the connection was merely too slow (as opposed to the server sending nonsense). */
        boolean slow() {
            return kind == Kind.NO_GREETING || kind == Kind.STALLED || kind == Kind.DEADLINE;
        }
    }

    private final class GuardedInput extends FilterInputStream {
        private final Socket socket;
        private final Lexer lexer;

        GuardedInput(Socket socket, InputStream in, Lexer lexer) {
            super(in);
            this.socket = socket;
            this.lexer = lexer;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                long start = System.nanoTime();
                long budget = budget(start);
                boolean silenceBound = budget >= limits.readTimeout().toNanos();
                socket.setSoTimeout(millis(budget));
                int n;
                try {
                    n = in.read(b, off, len);
                } catch (SocketTimeoutException e) {
                    waited(System.nanoTime() - start, 0);
                    if (silenceBound) {
                        throw e; // the plain read timeout: nothing at all for that long
                    }
                    continue; // another limit ran out: budget() names it
                }
                waited(System.nanoTime() - start, Math.max(n, 0));
                if (n > 0) {
                    lexer.scan(b, off, n);
                }
                return n;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping would hide bytes from the lexer; Angus Mail never skips on its input.
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int read = read(buffer, 0, buffer.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * Writes that must go out in time. A server that stops reading blocks a write for good (a
     * socket timeout covers reads only), so a watchdog looks at each connection's write in
     * progress a few times per stall timeout and closes the socket under one that takes too long,
     * which makes the write fail. Looking (rather than scheduling an alarm per write) keeps
     * writes free of thread hand-offs.
     */
    private final class GuardedOutput extends FilterOutputStream {
        private final Socket socket;
        private final java.io.Closeable abort;
        private final ScheduledFuture<?> watch;
        private volatile long writeStarted; // 0 when no write is in progress
        private volatile long writeLimit;
        private volatile boolean fired;

        GuardedOutput(Socket socket, OutputStream out, java.io.Closeable abort) {
            super(out);
            this.socket = socket;
            this.abort = abort;
            long period = Math.max(
                    TimeUnit.MILLISECONDS.toNanos(50),
                    Math.min(TimeUnit.SECONDS.toNanos(1), limits.stallTimeout().toNanos() / 4));
            this.watch = WATCHDOG.scheduleWithFixedDelay(this::look, period, period, TimeUnit.NANOSECONDS);
        }

        private void look() {
            if (socket.isClosed()) {
                ScheduledFuture<?> w = watch; // null only while the constructor still runs
                if (w != null) {
                    w.cancel(false);
                }
                return;
            }
            long started = writeStarted;
            if (started != 0 && System.nanoTime() - started > writeLimit) {
                fired = true;
                try {
                    abort.close();
                } catch (IOException e) {
                    // Closing is all the watchdog can do; the write fails either way.
                }
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            commandSent();
            for (int at = off; at < off + len; at += WRITE_PIECE) {
                int from = at;
                int piece = Math.min(WRITE_PIECE, off + len - at);
                watched(() -> out.write(b, from, piece));
            }
        }

        @Override
        public void flush() throws IOException {
            watched(out::flush);
        }

        @Override
        public void close() throws IOException {
            watch.cancel(false);
            super.close();
        }

        private void watched(IoAction action) throws IOException {
            long now = System.nanoTime();
            long limit = Math.min(limits.stallTimeout().toNanos(), Deadline.remainingNanos(now));
            if (limit <= 0) {
                throw new Violation(
                        Violation.Kind.DEADLINE, "the operation deadline of " + Deadline.currentLength() + " passed");
            }
            writeLimit = limit;
            writeStarted = now == 0 ? 1 : now;
            try {
                action.run();
            } catch (SocketException e) {
                if (fired) {
                    Violation v = new Violation(
                            Violation.Kind.STALLED,
                            "the server stopped reading: a write did not go out within " + Duration.ofNanos(limit));
                    v.initCause(e);
                    throw v;
                }
                throw e;
            } finally {
                writeStarted = 0;
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * Follows the response grammar as Angus Mail's {@code ResponseInputStream} reads it: a
     * response is a line ending in CRLF, unless the byte before the CRLF is a "}" whose last "{"
     * (searched backwards through everything before it, literal data included) encloses a number,
     * in which case that many bytes of literal follow and the line goes on. Counts the bytes of
     * the current response and refuses one, or an announced literal, that would exceed the bound.
     */
    static final class Lexer {
        private final long max;
        private long responses;
        private long responseBytes;
        private long literalLeft;
        private int previous = -1;
        private int beforePrevious = -1;
        private boolean announcedBeforeCr;
        // The last "{" seen and what followed it: "-"? digits "}" and nothing else.
        private boolean inBrace;
        private boolean braceClosed;
        private boolean braceValid;
        private boolean negative;
        private int digits;
        private long value;

        Lexer(long max) {
            this.max = max;
        }

        /** How many responses ended so far (for tests that compare with Angus Mail's reader). */
        long responses() {
            return responses;
        }

        void scan(byte[] b, int off, int len) throws Violation {
            int end = off + len;
            int i = off;
            while (i < end) {
                if (literalLeft > 0) {
                    int take = (int) Math.min(literalLeft, end - i);
                    literal(b, i, take);
                    literalLeft -= take;
                    responseBytes += take;
                    i += take;
                    continue;
                }
                int c = b[i++] & 0xff;
                responseBytes++;
                if (responseBytes > max) {
                    throw new Violation(
                            Violation.Kind.TOO_LARGE,
                            "the server sent a response longer than " + max + " bytes, the most this store accepts");
                }
                if (c == '\n' && previous == '\r') {
                    endOfLine();
                } else {
                    if (c == '\r') {
                        announcedBeforeCr = announced();
                    }
                    token(c);
                }
                beforePrevious = previous;
                previous = c;
            }
        }

        /**
         * Literal data is not parsed, but Angus Mail's backward search for "{" may reach into it,
         * and its last byte may be the CR of the line's end. Only the trailing run matters:
         * "{", "-"?, digits, "}"? at the very end (before such a CR) start or close a brace; any
         * other byte after the last "{" makes a number impossible. So only that run is read, from
         * the end; a chunk made of nothing else goes on with the brace before it.
         */
        private void literal(byte[] b, int off, int len) {
            int before = previous;
            int end = off + len;
            boolean endsWithCr = b[end - 1] == '\r';
            int dataEnd = endsWithCr ? end - 1 : end;
            int k = dataEnd - 1;
            while (k >= off && (b[k] >= '0' && b[k] <= '9' || b[k] == '-' || b[k] == '}')) {
                k--;
            }
            if (k < off) {
                for (int j = off; j < dataEnd; j++) {
                    token(b[j] & 0xff); // nothing but brace material: it goes on with the brace before
                }
            } else if (b[k] == '{') {
                for (int j = k; j < dataEnd; j++) {
                    token(b[j] & 0xff);
                }
            } else {
                inBrace = false; // a byte no number holds lies after the last "{" there may be
            }
            if (dataEnd > off) {
                previous = b[dataEnd - 1] & 0xff;
            }
            if (endsWithCr) {
                announcedBeforeCr = announced();
                token('\r');
            }
            if (len >= 2) {
                beforePrevious = b[end - 2] & 0xff;
                previous = b[end - 1] & 0xff;
            } else {
                beforePrevious = before;
                previous = b[off] & 0xff;
            }
        }

        private boolean announced() {
            return inBrace && braceClosed && braceValid && previous == '}';
        }

        private void token(int c) {
            if (c == '{') {
                inBrace = true;
                braceClosed = false;
                braceValid = true;
                negative = false;
                digits = 0;
                value = 0;
            } else if (inBrace && !braceClosed) {
                if (c == '}') {
                    braceClosed = true;
                    braceValid &= digits > 0;
                } else if (c == '-' && digits == 0 && !negative) {
                    negative = true;
                } else if (c >= '0' && c <= '9') {
                    digits++;
                    value = value > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
                } else {
                    braceValid = false;
                }
            } else if (inBrace) {
                braceValid = false; // something after the "}": not a literal announcement
            }
        }

        private void endOfLine() throws Violation {
            boolean literal = announcedBeforeCr && beforePrevious == '}';
            inBrace = false;
            announcedBeforeCr = false;
            if (!literal) {
                responseBytes = 0; // the response ended
                responses++;
                return;
            }
            if (negative || value == 0) {
                return; // Angus Mail reads no bytes and goes on with the line
            }
            if (value > max - responseBytes) {
                throw new Violation(
                        Violation.Kind.TOO_LARGE,
                        "the server announced a literal of " + value + " bytes; the most this store accepts in"
                                + " one response is " + max + " bytes");
            }
            literalLeft = value;
        }
    }
}
