package org.mailsync.pop3;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * What one POP3 connection lets a server do, enforced on the raw bytes below Angus Mail (and below
 * TLS): how long it may take to greet, how long it may stay silent, how slowly it may send (fewer
 * than {@value #MIN_PROGRESS_BYTES} bytes in {@code stallTimeout} of waiting is a lost connection,
 * however it drips), how long one operation may run in all, and how many bytes may answer one
 * command. The last matters because Angus Mail reads a multi-line answer (LIST, UIDL, TOP, RETR)
 * until the server ends it with a lone dot: a server that never does would fill the heap or the
 * spool. The count starts afresh at each command the client sends; RETR gets a bound of its own
 * from the message's announced size ({@link #expect}).
 *
 * <p>The guard sits on the TCP socket, under TLS, so no TLS socket has to be wrapped: TLS records
 * add a few bytes per 16 KiB, which the bounds leave room for.
 *
 * <p>Not thread-safe; confine to the connection's thread (the watchdog only closes the socket).
 */
final class Guard {
    /** Bytes that count as progress in one stall window. */
    static final int MIN_PROGRESS_BYTES = 1024;

    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    /** The limits of one connection. */
    record Limits(
            Duration greetingTimeout,
            Duration readTimeout,
            Duration stallTimeout,
            Duration operationDeadline,
            long maxResponseSize) {}

    private final Limits limits;
    private long connectedAt = System.nanoTime();
    private boolean greeted;
    private long windowWaited;
    private long windowBytes;
    private long responseBytes;
    private long responseLimit;
    private String responseWhat = "one answer";
    private long operationEnds = Long.MAX_VALUE;
    private long totalBytes;

    Guard(Limits limits) {
        this.limits = limits;
        this.responseLimit = limits.maxResponseSize();
    }

    /** An operation starts: it must end within the operation deadline. */
    void startOperation() {
        operationEnds = System.nanoTime() + limits.operationDeadline().toNanos();
    }

    /**
     * The answer to the next command may hold up to {@code bytes} bytes ({@code what} names it in
     * the error); {@link #reset} goes back to the store's response bound.
     */
    void expect(long bytes, String what) {
        responseLimit = bytes;
        responseWhat = what;
    }

    /** Back to the store's bound for one answer. */
    void reset() {
        responseLimit = limits.maxResponseSize();
        responseWhat = "one answer";
    }

    /** Every byte received through this guard (for tests: TLS traffic passes it too). */
    long totalBytes() {
        return totalBytes;
    }

    /** The TCP connection is up: the greeting timeout counts from now. */
    void connected() {
        connectedAt = System.nanoTime();
    }

    /** A command went out: a fresh stall window and a fresh count of answer bytes. */
    private void commandSent() {
        windowWaited = 0;
        windowBytes = 0;
        responseBytes = 0;
    }

    /** How long the next read may block, in nanoseconds; throws when a limit is used up. */
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
        long deadlineLeft = operationEnds - now;
        if (deadlineLeft <= 0) {
            throw new Violation(
                    Violation.Kind.DEADLINE, "the operation deadline of " + limits.operationDeadline() + " passed");
        }
        return Math.min(budget, deadlineLeft);
    }

    private void received(long waited, int bytes) throws Violation {
        windowWaited += waited;
        if (bytes <= 0) {
            return;
        }
        greeted = true;
        windowBytes += bytes;
        if (windowBytes >= MIN_PROGRESS_BYTES) {
            windowWaited = 0;
            windowBytes = 0;
        }
        responseBytes += bytes;
        totalBytes += bytes;
        if (responseBytes > responseLimit) {
            throw new Violation(
                    Violation.Kind.TOO_LARGE,
                    "the server sent more than " + responseLimit + " bytes for " + responseWhat
                            + ", the most this store accepts (a response that never ends?)");
        }
    }

    private static int millis(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mailsync-pop3-watchdog");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** A server broke a limit; the connection is closed. */
    static final class Violation extends IOException {
        private static final long serialVersionUID = 1L;

        enum Kind {
            /** More than this store accepts: a protocol error, never retried. */
            TOO_LARGE,
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

        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        /** Whether the server was merely too slow (as opposed to sending too much). */
        boolean slow() {
            return kind != Kind.TOO_LARGE;
        }
    }

    /** The guarded socket's input: every read bounded in time, every byte counted. */
    private final class GuardedInput extends FilterInputStream {
        private final Socket socket;

        GuardedInput(Socket socket, InputStream in) {
            super(in);
            this.socket = socket;
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
            try {
                while (true) {
                    long start = System.nanoTime();
                    long budget = budget(start);
                    boolean silenceBound = budget >= limits.readTimeout().toNanos();
                    socket.setSoTimeout(millis(budget));
                    int n;
                    try {
                        n = in.read(b, off, len);
                    } catch (SocketTimeoutException e) {
                        received(System.nanoTime() - start, 0);
                        if (silenceBound) {
                            throw new Violation(
                                    Violation.Kind.STALLED,
                                    "the server sent nothing for the read timeout of " + limits.readTimeout());
                        }
                        continue; // another limit ran out: budget() names it
                    }
                    received(System.nanoTime() - start, Math.max(n, 0));
                    return n;
                }
            } catch (Violation v) {
                socket.close(); // nothing more may be read from a server that broke a limit
                throw v;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            return Math.max(read(buffer, 0, buffer.length), 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * Writes that must go out in time: a server that stops reading blocks a write for good (socket
     * timeouts cover reads only), so a watchdog closes the socket under a write that takes longer
     * than the stall timeout, which makes the write fail.
     */
    private final class GuardedOutput extends FilterOutputStream {
        private final Socket socket;
        private final ScheduledFuture<?> watch;
        private volatile long writeStarted; // 0 when no write is in progress
        private volatile long writeLimit;
        private volatile boolean fired;

        GuardedOutput(Socket socket, OutputStream out) {
            super(out);
            this.socket = socket;
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
                    socket.close();
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
            long now = System.nanoTime();
            long limit = Math.min(limits.stallTimeout().toNanos(), operationEnds - now);
            if (limit <= 0) {
                throw new Violation(
                        Violation.Kind.DEADLINE, "the operation deadline of " + limits.operationDeadline() + " passed");
            }
            writeLimit = limit;
            writeStarted = now == 0 ? 1 : now;
            try {
                out.write(b, off, len);
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

        @Override
        public void close() throws IOException {
            watch.cancel(false);
            super.close();
        }
    }

    /** A TCP socket whose streams go through this guard (TLS, if any, is layered on top). */
    final class GuardedSocket extends Socket {
        @Override
        public void connect(java.net.SocketAddress endpoint, int timeout) throws IOException {
            super.connect(endpoint, timeout);
            connected();
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new GuardedInput(this, super.getInputStream());
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return new GuardedOutput(this, super.getOutputStream());
        }
    }

    /**
     * A connected socket made elsewhere, seen through this guard: its streams are guarded, every
     * other call goes to it. TLS is layered on the view.
     */
    final class GuardedView extends Socket {
        private final Socket d;

        GuardedView(Socket delegate) {
            this.d = delegate;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new GuardedInput(d, d.getInputStream());
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return new GuardedOutput(d, d.getOutputStream());
        }

        @Override
        public void connect(java.net.SocketAddress endpoint, int timeout) throws IOException {
            d.connect(endpoint, timeout);
        }

        @Override
        public void bind(java.net.SocketAddress bindpoint) throws IOException {
            d.bind(bindpoint);
        }

        @Override
        public InetAddress getInetAddress() {
            return d.getInetAddress();
        }

        @Override
        public InetAddress getLocalAddress() {
            return d.getLocalAddress();
        }

        @Override
        public int getPort() {
            return d.getPort();
        }

        @Override
        public int getLocalPort() {
            return d.getLocalPort();
        }

        @Override
        public java.net.SocketAddress getRemoteSocketAddress() {
            return d.getRemoteSocketAddress();
        }

        @Override
        public java.net.SocketAddress getLocalSocketAddress() {
            return d.getLocalSocketAddress();
        }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException {
            d.setTcpNoDelay(on);
        }

        @Override
        public boolean getTcpNoDelay() throws SocketException {
            return d.getTcpNoDelay();
        }

        @Override
        public void setSoLinger(boolean on, int linger) throws SocketException {
            d.setSoLinger(on, linger);
        }

        @Override
        public int getSoLinger() throws SocketException {
            return d.getSoLinger();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            d.setSoTimeout(timeout);
        }

        @Override
        public int getSoTimeout() throws SocketException {
            return d.getSoTimeout();
        }

        @Override
        public void setKeepAlive(boolean on) throws SocketException {
            d.setKeepAlive(on);
        }

        @Override
        public boolean getKeepAlive() throws SocketException {
            return d.getKeepAlive();
        }

        @Override
        public void close() throws IOException {
            d.close();
        }

        @Override
        public void shutdownInput() throws IOException {
            d.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            d.shutdownOutput();
        }

        @Override
        public boolean isConnected() {
            return d.isConnected();
        }

        @Override
        public boolean isBound() {
            return d.isBound();
        }

        @Override
        public boolean isClosed() {
            return d.isClosed();
        }

        @Override
        public boolean isInputShutdown() {
            return d.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return d.isOutputShutdown();
        }

        @Override
        public String toString() {
            return d.toString();
        }
    }

    /** Angus Mail's {@code socketFactory}: guarded plain sockets (no TLS, or before STLS). */
    SocketFactory plainFactory() {
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws SocketException {
                Socket s = new GuardedSocket();
                s.setTcpNoDelay(true); // short commands after short answers: no Nagle delays
                return s;
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                Socket s = createSocket();
                s.bind(new InetSocketAddress(localHost, localPort));
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                Socket s = createSocket();
                s.bind(new InetSocketAddress(localAddress, localPort));
                s.connect(new InetSocketAddress(address, port));
                return s;
            }
        };
    }

    /**
     * Angus Mail's {@code ssl.socketFactory}: TLS from {@code trust} layered on a guarded socket,
     * for POP3S (Angus Mail connects the socket {@link SSLSocketFactory#createSocket()} gives) and
     * for STLS (the plain guarded socket of the session).
     */
    SSLSocketFactory tlsFactory(SSLSocketFactory trust) {
        return new SSLSocketFactory() {
            @Override
            public Socket createSocket() throws SocketException {
                Socket s = new GuardedSocket();
                s.setTcpNoDelay(true);
                return s;
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                // STLS layers TLS on the session's guarded socket; for POP3S Angus Mail connects a
                // plain socket of its own, which gets a guarded view.
                Socket raw = s instanceof GuardedSocket ? s : new GuardedView(s);
                if (!(s instanceof GuardedSocket)) {
                    connected();
                }
                return (SSLSocket) trust.createSocket(raw, host, port, autoClose);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return createSocket(s, host, port, true);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                Socket s = createSocket();
                s.bind(new InetSocketAddress(localHost, localPort));
                s.connect(new InetSocketAddress(host, port));
                return createSocket(s, host, port, true);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return createSocket(s, host.getHostName(), port, true);
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                Socket s = createSocket();
                s.bind(new InetSocketAddress(localAddress, localPort));
                s.connect(new InetSocketAddress(address, port));
                return createSocket(s, address.getHostName(), port, true);
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return trust.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return trust.getSupportedCipherSuites();
            }
        };
    }
}
