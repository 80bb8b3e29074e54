package org.mailsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Courier-IMAP 5.0 (Debian's {@code courier-imap}, unpacked by {@code
 * .ci/install-test-deps} under {@value #ROOT} because its packages conflict with Dovecot's) serving
 * one Maildir for a test. Courier's {@code imapd} runs pre-authenticated on standard input and
 * output, as behind its own login program; this class gives it a loopback port by starting one
 * {@code imapd} per accepted connection and copying bytes both ways, unchanged. The client sees a
 * {@code * PREAUTH} greeting and logs in with nothing.
 *
 * <p>Courier is the server the issue names for what Dovecot hides: no CONDSTORE, QRESYNC, MOVE,
 * MULTIAPPEND, LITERAL+ or SPECIAL-USE; appended messages visible in the selected mailbox only after
 * a NOOP; {@code INBOX.} with {@code .}. The capabilities it announces come from {@code
 * IMAP_CAPABILITY}, as in its config file, so a test can hide UIDPLUS too.
 *
 * <p>When Courier is not unpacked, {@link #start} fails with what to run: a test that needs it
 * fails, never skips. Not thread-safe; confine to one thread.
 */
public final class CourierServer implements AutoCloseable {
    static final String ROOT = "/opt/mailsync-courier";

    /** Courier's own default from its config file ({@code /etc/courier/imapd}). */
    public static final String DEFAULT_CAPABILITIES =
            "IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE";

    private final Path home;
    private final Path log;
    private final String capabilities;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Process> processes = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    private CourierServer(Path home, String capabilities) throws IOException {
        this.home = home;
        this.log = home.resolve("imapd.log");
        this.capabilities = capabilities;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "courier-acceptor-" + listener.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Starts a server with Courier's default capabilities over an empty Maildir. */
    public static CourierServer start() throws IOException {
        return start(DEFAULT_CAPABILITIES);
    }

    /** Starts a server announcing exactly these capabilities (Courier adds ENABLE and UTF8=ACCEPT). */
    public static CourierServer start(String capabilities) throws IOException {
        Path imapd = Path.of(ROOT, "usr/bin/imapd");
        if (!Files.isExecutable(imapd)) {
            throw new IllegalStateException("Courier-IMAP is not unpacked under " + ROOT
                    + ": run .ci/install-test-deps (as root) before the tests");
        }
        Path home = Files.createTempDirectory("courier");
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(home.resolve("Maildir").resolve(sub));
        }
        CourierServer server = new CourierServer(home, capabilities);
        server.acceptor.start();
        return server;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The user's home; the mail is in its {@code Maildir}. */
    public Path home() {
        return home;
    }

    /** How many connections the server accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Ends every open session at once, as a crashed server or a cut network would. */
    public synchronized void dropConnections() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing is all that is wanted.
            }
        }
        sockets.clear();
        processes.forEach(Process::destroyForcibly);
        processes.clear();
    }

    /** What Courier wrote on its standard error (its log), for a failing test's message. */
    public String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = listener.accept();
                connections.incrementAndGet();
                serve(socket);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("courier acceptor: " + e);
                }
            }
        }
    }

    private synchronized void serve(Socket socket) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ROOT + "/usr/bin/imapd", "Maildir")
                .directory(home.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("LD_LIBRARY_PATH", ROOT + "/usr/lib:" + ROOT + "/usr/lib/courier-authlib");
        env.put("AUTHENTICATED", "mailsync");
        env.put("IMAP_CAPABILITY", capabilities);
        env.put("IMAP_KEYWORDS", "1");
        env.put("IMAP_ACL", "1");
        env.put("IMAP_ENHANCEDIDLE", "0");
        env.put("IMAP_USELOCKS", "1");
        env.put("IMAP_TRASHFOLDERNAME", "Trash");
        env.put("IMAP_MOVE_EXPUNGE_TO_TRASH", "0");
        env.put("IMAP_MAILBOX_SANITY_CHECK", "0");
        env.put("IMAP_UMASK", "077");
        env.put("TCPREMOTEIP", "127.0.0.1");
        Process process = pb.start();
        processes.add(process);
        sockets.add(socket);
        pump(socket.getInputStream(), process.getOutputStream(), socket, process);
        pump(process.getInputStream(), socket.getOutputStream(), socket, process);
    }

    private static void pump(InputStream in, OutputStream out, Socket socket, Process process) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (in;
                            out) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // The other side went away: the session ends below.
                    } finally {
                        try {
                            socket.close();
                        } catch (IOException e) {
                            // Already closed.
                        }
                        process.destroy();
                    }
                },
                "courier-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        listener.close();
        dropConnections();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
