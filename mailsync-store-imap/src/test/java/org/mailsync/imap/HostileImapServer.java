package org.mailsync.imap;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback IMAP server that misbehaves on purpose: each test scripts the answers it needs
 * ({@link #on}) on top of a plain default session (greeting, CAPABILITY, LOGIN, NAMESPACE, LIST,
 * SELECT, STATUS, an empty UID FETCH, APPEND), and can keep silent, drip bytes or announce what it
 * never sends. Every line the client sent is recorded as text, literals and continuation lines
 * (AUTHENTICATE) included, so a test can assert what never went out.
 *
 * <p>Thread-safe: each connection is served on a thread of its own; configure before connecting.
 */
final class HostileImapServer implements AutoCloseable {
    /** One command: its tag, its name in upper case ({@code "UID FETCH"} for UID commands), and the whole line. */
    record Command(String tag, String name, String line) {}

    /** Answers a command; returns false to leave it to the default answer. */
    @FunctionalInterface
    interface Handler {
        boolean answer(Session session, Command command) throws IOException, InterruptedException;
    }

    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)\\}$");

    private final ServerSocket listener;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private volatile String capabilities = "IMAP4rev1 LITERAL+ UIDPLUS NAMESPACE";
    private volatile boolean greet = true;
    private volatile List<String> listLines = List.of("* LIST () \"/\" INBOX");
    private volatile long hangOnLiteralsAbove = Long.MAX_VALUE;
    volatile long uidValidity = 42;
    volatile long uidNext = 1;

    HostileImapServer() throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "hostile-imap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The capabilities announced before and after login. */
    HostileImapServer capabilities(String value) {
        this.capabilities = value;
        return this;
    }

    /** Accepts connections but never says a word. */
    HostileImapServer neverGreet() {
        this.greet = false;
        return this;
    }

    /** Stops reading (as a server that hangs) when the client announces a literal above this size. */
    HostileImapServer hangOnLiteralsAbove(long bytes) {
        this.hangOnLiteralsAbove = bytes;
        return this;
    }

    /** A builder for a plain-text store of user anna on this server, without retries. */
    ImapStore.Builder storeBuilder() {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(port())
                .security(Security.NONE)
                .username("anna")
                .readTimeout(java.time.Duration.ofSeconds(20))
                .retry(RetryPolicy.NONE);
    }

    /** The untagged answers to {@code LIST "" "*"}, as sent (literals written inline with CRLF). */
    HostileImapServer list(String... lines) {
        this.listLines = List.of(lines);
        return this;
    }

    /** Scripts the answer to a command ({@code "AUTHENTICATE"}, {@code "UID FETCH"}, ...). */
    HostileImapServer on(String command, Handler handler) {
        handlers.put(command.toUpperCase(Locale.ROOT), handler);
        return this;
    }

    /** Every line the client sent, in order, literals inline. */
    List<String> received() {
        return List.copyOf(received);
    }

    /** The names of the commands received, in order. */
    List<String> commandNames() {
        List<String> out = new ArrayList<>();
        for (String line : received) {
            String[] words = line.split(" ", 4);
            if (words.length >= 2) {
                out.add(words[1].equalsIgnoreCase("UID") && words.length >= 3 ? "UID " + words[2] : words[1]);
            }
        }
        return out;
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            clients.add(client);
            Thread session = new Thread(() -> serve(client), "hostile-imap-session");
            session.setDaemon(true);
            session.start();
        }
    }

    private void serve(Socket client) {
        try (client) {
            new Session(client).run();
        } catch (IOException | InterruptedException e) {
            // The client went away or the server was closed: nothing is left to answer.
        } finally {
            clients.remove(client);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket client : clients) {
            client.close();
        }
    }

    /** One client connection, as the handlers see it. */
    final class Session {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Sends a line (CRLF added). */
        void send(String line) throws IOException {
            sendBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }

        /** Sends bytes as they are. */
        void sendBytes(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Reads one line from the client (an AUTHENTICATE response), recording it. */
        String readLine() throws IOException {
            String line = new String(rawLine(), StandardCharsets.UTF_8);
            received.add(line);
            return line;
        }

        /** Stops reading from the client, as a server that hangs does. */
        void hang() throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
        }

        void run() throws IOException, InterruptedException {
            if (!greet) {
                hang();
            }
            send("* OK hostile IMAP server ready");
            while (!socket.isClosed()) {
                String line = readCommand();
                received.add(line);
                String[] words = line.split(" ", 4);
                if (words.length < 2) {
                    send("* BAD expected a tag and a command");
                    continue;
                }
                String tag = words[0];
                String name = words[1].toUpperCase(Locale.ROOT);
                if (name.equals("UID") && words.length >= 3) {
                    name = "UID " + words[2].toUpperCase(Locale.ROOT);
                }
                Command command = new Command(tag, name, line);
                Handler handler = handlers.get(name);
                if (handler != null && handler.answer(this, command)) {
                    continue;
                }
                if (!answer(command)) {
                    return;
                }
            }
        }

        private boolean answer(Command c) throws IOException {
            String tag = c.tag();
            switch (c.name()) {
                case "CAPABILITY" -> send("* CAPABILITY " + capabilities);
                case "LOGOUT" -> {
                    send("* BYE logging out");
                    send(tag + " OK LOGOUT completed");
                    return false;
                }
                case "AUTHENTICATE" -> {
                    send(tag + " NO not scripted");
                    return true;
                }
                case "STARTTLS" -> {
                    send(tag + " BAD not scripted");
                    return true;
                }
                case "ENABLE" -> send("* ENABLED");
                case "NAMESPACE" -> send("* NAMESPACE ((\"\" \"/\")) NIL NIL");
                case "LIST" -> {
                    if (c.line().endsWith("\"\" \"\"")) {
                        send("* LIST (\\Noselect) \"/\" \"\"");
                    } else {
                        for (String l : listLines) {
                            send(l);
                        }
                    }
                }
                case "SELECT", "EXAMINE" -> {
                    send("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
                    send("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted");
                    send("* " + (uidNext - 1) + " EXISTS");
                    send("* OK [UIDVALIDITY " + uidValidity + "] UIDs valid");
                    send("* OK [UIDNEXT " + uidNext + "] Predicted next UID");
                    send(tag + " OK [READ-WRITE] " + c.name() + " completed");
                    return true;
                }
                case "STATUS" -> {
                    Matcher m = Pattern.compile("STATUS (\"[^\"]*\"|\\S+) ").matcher(c.line());
                    String mailbox = m.find() ? m.group(1) : "INBOX";
                    send("* STATUS " + mailbox + " (MESSAGES " + (uidNext - 1) + " UIDNEXT " + uidNext + " UIDVALIDITY "
                            + uidValidity + ")");
                }
                case "LOGIN",
                        "NOOP",
                        "CHECK",
                        "LSUB",
                        "CREATE",
                        "SUBSCRIBE",
                        "APPEND",
                        "EXPUNGE",
                        "UID FETCH",
                        "UID STORE",
                        "UID SEARCH",
                        "UID EXPUNGE" -> {}
                default -> {
                    send(tag + " BAD command not scripted: " + c.name());
                    return true;
                }
            }
            send(tag + " OK " + c.name() + " completed");
            return true;
        }

        /** A command line with its literals inline (CRLF between the parts). */
        private String readCommand() throws IOException, InterruptedException {
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            while (true) {
                byte[] line = rawLine();
                command.write(line);
                Matcher m = LITERAL.matcher(new String(line, StandardCharsets.ISO_8859_1));
                if (!m.find()) {
                    return command.toString(StandardCharsets.UTF_8);
                }
                if (Long.parseLong(m.group(1)) > hangOnLiteralsAbove) {
                    hang();
                }
                if (m.group(2).isEmpty()) {
                    send("+ go ahead");
                }
                command.write('\r');
                command.write('\n');
                command.write(in.readNBytes(Integer.parseInt(m.group(1))));
            }
        }

        private byte[] rawLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new EOFException("client closed the connection");
                }
                line.write(b);
            }
            byte[] bytes = line.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            return java.util.Arrays.copyOf(bytes, length);
        }
    }
}
