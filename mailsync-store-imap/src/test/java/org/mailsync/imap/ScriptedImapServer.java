package org.mailsync.imap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A scripted IMAP server on loopback, for the one thing no real server here offers: UTF8=ACCEPT
 * (RFC 6855). It speaks just enough IMAP4rev1 for the store to log in, list, create, select and
 * fetch from empty mailboxes; it keeps mailbox names as Unicode and records every command it
 * receives as raw bytes. Once a session has enabled UTF8=ACCEPT, names are UTF-8 in quoted strings
 * both ways; before that (or when not offered) they are modified UTF-7 (RFC 3501 5.1.3).
 *
 * <p>Thread-safe: each connection is served on a thread of its own.
 */
final class ScriptedImapServer implements AutoCloseable {
    private static final char SEPARATOR = '/';

    private final ServerSocket listener;
    private final boolean utf8Accept;
    private final String capabilities;
    private final Map<String, Long> mailboxes = new ConcurrentHashMap<>();
    private final AtomicLong nextUidValidity = new AtomicLong(1000);
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    /** LIST-STATUS (RFC 5819): how the server answers LIST ... RETURN (STATUS (...)). */
    private final ListStatus listStatus;
    /** Mailboxes whose STATUS a LIST-STATUS answer leaves out (RFC 5819 2 allows it). */
    private final Set<String> statusLeftOut = ConcurrentHashMap.newKeySet();

    /** Whether the server offers LIST-STATUS, and whether it then keeps its word. */
    enum ListStatus {
        NOT_OFFERED,
        OFFERED,
        /** Offered, but an extended LIST is refused with BAD. */
        OFFERED_BUT_REFUSED
    }

    /** Starts a server that offers UTF8=ACCEPT or not, holding INBOX and {@code existing}. */
    ScriptedImapServer(boolean utf8Accept, String... existing) throws IOException {
        this(utf8Accept, ListStatus.NOT_OFFERED, existing);
    }

    /** Starts a server as above, offering LIST-STATUS (and LIST-EXTENDED) as {@code listStatus} says. */
    ScriptedImapServer(boolean utf8Accept, ListStatus listStatus, String... existing) throws IOException {
        this.utf8Accept = utf8Accept;
        this.listStatus = listStatus;
        this.capabilities = "IMAP4rev1 " + (utf8Accept ? "UTF8=ACCEPT " : "") + "ENABLE NAMESPACE UIDPLUS LITERAL+"
                + (listStatus == ListStatus.NOT_OFFERED ? "" : " LIST-EXTENDED LIST-STATUS");
        addMailbox("INBOX");
        for (String name : existing) {
            addMailbox(name);
        }
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "scripted-imap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Every command received so far, as sent: tag, command, literals inline. */
    List<byte[]> received() {
        return List.copyOf(received);
    }

    /** Every command received so far without its tag, read as UTF-8. */
    List<String> commands() {
        List<String> out = new ArrayList<>();
        for (byte[] line : received) {
            String text = new String(line, StandardCharsets.UTF_8);
            int space = text.indexOf(' ');
            out.add(space < 0 ? text : text.substring(space + 1));
        }
        return out;
    }

    /** Leaves the STATUS of this mailbox out of LIST-STATUS answers from now on. */
    void leaveOutOfListStatus(String mailbox) {
        statusLeftOut.add(mailbox);
    }

    /** How many sessions logged in so far. */
    long logins() {
        return commands().stream()
                .filter(c -> c.toUpperCase(Locale.ROOT).startsWith("LOGIN "))
                .count();
    }

    /** The mailboxes the server holds, by their Unicode names. */
    Set<String> mailboxes() {
        return Set.copyOf(mailboxes.keySet());
    }

    private void addMailbox(String name) {
        mailboxes.putIfAbsent(name, nextUidValidity.getAndIncrement());
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
            Thread session = new Thread(() -> serve(client), "scripted-imap-session");
            session.setDaemon(true);
            session.start();
        }
    }

    private void serve(Socket client) {
        try (client;
                InputStream in = new BufferedInputStream(client.getInputStream());
                OutputStream out = new BufferedOutputStream(client.getOutputStream())) {
            new Session(in, out).run();
        } catch (IOException e) {
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

    /** A command argument: an atom, a quoted string, a literal, or a parenthesised list (raw). */
    private record Token(byte[] bytes, boolean atom, boolean list) {
        String ascii() {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    /** A malformed command, answered with BAD. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    private final class Session {
        private final InputStream in;
        private final OutputStream out;
        private boolean authenticated;
        private boolean utf8;
        private @Nullable String selected;

        Session(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        void run() throws IOException {
            send("* OK scripted IMAP server ready");
            while (true) {
                byte[] command = readCommand();
                received.add(command);
                List<Token> tokens;
                try {
                    tokens = tokenize(command);
                } catch (Bad e) {
                    send("* BAD " + e.getMessage());
                    continue;
                }
                if (tokens.size() < 2 || !tokens.get(0).atom() || !tokens.get(1).atom()) {
                    send("* BAD expected a tag and a command");
                    continue;
                }
                String tag = tokens.get(0).ascii();
                String name = tokens.get(1).ascii().toUpperCase(Locale.ROOT);
                try {
                    if (!answer(tag, name, tokens.subList(2, tokens.size()))) {
                        return;
                    }
                } catch (Bad e) {
                    send(tag + " BAD " + e.getMessage());
                }
            }
        }

        /** Answers one command; false after LOGOUT. */
        private boolean answer(String tag, String command, List<Token> args) throws IOException, Bad {
            if (!authenticated
                    && !Set.of("CAPABILITY", "NOOP", "LOGOUT", "LOGIN").contains(command)) {
                throw new Bad("log in first");
            }
            switch (command) {
                case "CAPABILITY" -> send("* CAPABILITY " + capabilities);
                case "NOOP" -> {}
                case "LOGOUT" -> {
                    send("* BYE logging out");
                    send(tag + " OK LOGOUT completed");
                    return false;
                }
                case "LOGIN" -> {
                    arguments(args, 2);
                    authenticated = true;
                }
                case "ENABLE" -> enable(args);
                case "NAMESPACE" -> send("* NAMESPACE ((\"\" \"" + SEPARATOR + "\")) NIL NIL");
                case "LIST" -> list(args);
                case "LSUB" -> arguments(args, 2); // nothing is subscribed
                case "CREATE" -> {
                    String name = mailbox(arguments(args, 1).get(0));
                    if (name.endsWith(String.valueOf(SEPARATOR))) {
                        name = name.substring(0, name.length() - 1);
                    }
                    if (mailboxes.containsKey(name)) {
                        send(tag + " NO [ALREADYEXISTS] Mailbox exists");
                        return true;
                    }
                    addMailbox(name);
                }
                case "SELECT", "EXAMINE" -> {
                    String name = mailbox(arguments(args, 1).get(0));
                    selected = null;
                    Long uidValidity = mailboxes.get(name);
                    if (uidValidity == null) {
                        send(tag + " NO [NONEXISTENT] No such mailbox");
                        return true;
                    }
                    send("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
                    send("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted");
                    send("* 0 EXISTS");
                    send("* 0 RECENT");
                    send("* OK [UIDVALIDITY " + uidValidity + "] UIDs valid");
                    send("* OK [UIDNEXT 1] Predicted next UID");
                    selected = name;
                    boolean readOnly = command.equals("EXAMINE");
                    send(tag + " OK [" + (readOnly ? "READ-ONLY" : "READ-WRITE") + "] " + command + " completed");
                    return true;
                }
                case "STATUS" -> status(tag, args);
                case "UID" -> {
                    // Every mailbox is empty: a UID FETCH finds nothing (RFC 3501 6.4.8).
                    if (args.isEmpty() || !args.get(0).ascii().equalsIgnoreCase("FETCH")) {
                        throw new Bad("only UID FETCH is scripted");
                    }
                    if (selected == null) {
                        throw new Bad("no mailbox selected");
                    }
                }
                default -> throw new Bad("command not scripted: " + command);
            }
            send(tag + " OK " + command + " completed");
            return true;
        }

        private void enable(List<Token> args) throws IOException, Bad {
            // RFC 5161 3.1: ENABLE is valid only in the authenticated state.
            if (selected != null) {
                throw new Bad("ENABLE is not allowed once a mailbox is selected");
            }
            StringBuilder enabled = new StringBuilder("* ENABLED");
            for (Token arg : arguments(args, -1)) {
                if (utf8Accept && arg.atom() && arg.ascii().equalsIgnoreCase("UTF8=ACCEPT")) {
                    utf8 = true;
                    enabled.append(" UTF8=ACCEPT");
                }
            }
            send(enabled.toString());
        }

        private void list(List<Token> args) throws IOException, Bad {
            List<String> statusItems = null;
            if (args.size() > 2) {
                // RFC 5258 / 5819: LIST "" pattern RETURN (... STATUS (items))
                if (listStatus != ListStatus.OFFERED
                        || args.size() != 4
                        || !args.get(2).ascii().equalsIgnoreCase("RETURN")
                        || !args.get(3).list()) {
                    throw new Bad("extended LIST not scripted");
                }
                String options = args.get(3).ascii();
                int at = options.toUpperCase(Locale.ROOT).indexOf("STATUS (");
                if (at < 0) {
                    throw new Bad("only RETURN (... STATUS (...)) is scripted");
                }
                String items = options.substring(at + "STATUS (".length(), options.indexOf(')', at));
                statusItems = List.of(items.trim().split("\\s+"));
                args = args.subList(0, 2);
            }
            List<Token> both = arguments(args, 2);
            if (both.get(0).bytes().length != 0) {
                throw new Bad("only an empty reference is scripted");
            }
            String pattern = mailbox(both.get(1));
            if (pattern.isEmpty()) {
                // RFC 3501 6.3.8: the hierarchy delimiter.
                send("* LIST (\\Noselect) \"" + SEPARATOR + "\" \"\"");
                return;
            }
            Pattern glob = glob(pattern);
            for (String name : new TreeMap<>(mailboxes).keySet()) {
                if (glob.matcher(name).matches()) {
                    send("* LIST () \"" + SEPARATOR + "\" " + quoted(name));
                    if (statusItems != null && !statusLeftOut.contains(name)) {
                        send(statusLine(name, statusItems));
                    }
                }
            }
        }

        /** The untagged STATUS answer of a mailbox that exists. */
        private String statusLine(String name, List<String> requested) throws Bad {
            List<String> items = new ArrayList<>();
            for (String item : requested) {
                String upper = item.toUpperCase(Locale.ROOT);
                switch (upper) {
                    case "MESSAGES", "RECENT", "UNSEEN" -> items.add(upper + " 0");
                    case "UIDNEXT" -> items.add("UIDNEXT 1");
                    case "UIDVALIDITY" -> items.add("UIDVALIDITY " + mailboxes.get(name));
                    default -> throw new Bad("unknown STATUS item " + item);
                }
            }
            return "* STATUS " + quoted(name) + " (" + String.join(" ", items) + ")";
        }

        private void status(String tag, List<Token> args) throws IOException, Bad {
            List<Token> both = arguments(args, 2);
            String name = mailbox(both.get(0));
            Long uidValidity = mailboxes.get(name);
            if (!both.get(1).list()) {
                throw new Bad("STATUS wants a list of items");
            }
            if (uidValidity == null) {
                send(tag + " NO [NONEXISTENT] No such mailbox");
                return;
            }
            send(statusLine(name, List.of(both.get(1).ascii().trim().split("\\s+"))));
        }

        /** A mailbox argument as a Unicode name; INBOX in any case is INBOX (RFC 3501 5.1). */
        private String mailbox(Token token) throws Bad {
            if (token.list()) {
                throw new Bad("a mailbox name is not a list");
            }
            String name;
            if (utf8) {
                try {
                    name = StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(token.bytes()))
                            .toString();
                } catch (CharacterCodingException e) {
                    throw new Bad("mailbox name is not UTF-8");
                }
            } else {
                for (byte b : token.bytes()) {
                    if ((b & 0xff) > 0x7e) {
                        throw new Bad("8-bit mailbox name without UTF8=ACCEPT");
                    }
                }
                name = decodeModifiedUtf7(token.ascii());
            }
            return name.equalsIgnoreCase("INBOX") ? "INBOX" : name;
        }

        /** A mailbox name for an answer: UTF-8 once enabled (RFC 6855 3), else modified UTF-7. */
        private String quoted(String name) {
            String wire = utf8 ? name : encodeModifiedUtf7(name);
            return "\"" + wire.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        private byte[] readCommand() throws IOException {
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            while (true) {
                byte[] line = readLine();
                command.write(line);
                int size = literalSize(line);
                if (size < 0) {
                    return command.toByteArray();
                }
                if (line[line.length - 2] != '+') {
                    send("+ go ahead");
                }
                command.write('\r');
                command.write('\n');
                command.write(in.readNBytes(size));
            }
        }

        /** The size of the literal announced at the end of a line ({n} or {n+}), or -1. */
        private int literalSize(byte[] line) {
            int end = line.length - 1;
            if (end < 1 || line[end] != '}') {
                return -1;
            }
            int close = line[end - 1] == '+' ? end - 1 : end;
            int open = close - 1;
            while (open >= 0 && line[open] >= '0' && line[open] <= '9') {
                open--;
            }
            if (open < 0 || line[open] != '{' || open == close - 1) {
                return -1;
            }
            return Integer.parseInt(new String(line, open + 1, close - open - 1, StandardCharsets.US_ASCII));
        }

        /** A line without its CRLF. */
        private byte[] readLine() throws IOException {
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
            return Arrays.copyOf(bytes, length);
        }

        private void send(String line) throws IOException {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\r');
            out.write('\n');
            out.flush();
        }
    }

    /** Exactly {@code count} arguments, or any number for a negative count. */
    private static List<Token> arguments(List<Token> args, int count) throws Bad {
        if (count >= 0 && args.size() != count) {
            throw new Bad("expected " + count + " arguments, got " + args.size());
        }
        return args;
    }

    /**
     * Splits a command into tokens. Atoms are 7-bit: RFC 6855 3 allows UTF-8 only in quoted
     * strings, so 8-bit bytes outside quotes or a literal are refused, as a strict server would.
     */
    private static List<Token> tokenize(byte[] command) throws Bad {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < command.length) {
            byte b = command[i];
            if (b == ' ') {
                i++;
            } else if (b == '"') {
                ByteArrayOutputStream value = new ByteArrayOutputStream();
                i++;
                while (true) {
                    if (i >= command.length) {
                        throw new Bad("unterminated quoted string");
                    }
                    byte c = command[i++];
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\' && i < command.length) {
                        c = command[i++];
                    }
                    value.write(c);
                }
                tokens.add(new Token(value.toByteArray(), false, false));
            } else if (b == '(') {
                int depth = 0;
                int start = i;
                do {
                    if (i >= command.length) {
                        throw new Bad("unbalanced parenthesis");
                    }
                    depth += command[i] == '(' ? 1 : command[i] == ')' ? -1 : 0;
                    i++;
                } while (depth > 0);
                tokens.add(new Token(Arrays.copyOfRange(command, start + 1, i - 1), false, true));
            } else if (b == '{') {
                int close = i;
                while (close < command.length && command[close] != '}') {
                    close++;
                }
                String digits = new String(command, i + 1, close - i - 1, StandardCharsets.US_ASCII);
                int size = Integer.parseInt(digits.endsWith("+") ? digits.substring(0, digits.length() - 1) : digits);
                int start = close + 3; // past "}\r\n"
                tokens.add(new Token(Arrays.copyOfRange(command, start, start + size), false, false));
                i = start + size;
            } else {
                int start = i;
                while (i < command.length && command[i] != ' ' && command[i] != '(') {
                    if ((command[i] & 0xff) < 0x21 || (command[i] & 0xff) > 0x7e) {
                        throw new Bad(
                                "8-bit or control byte in an atom (RFC 6855 3 allows UTF-8 only in quoted strings)");
                    }
                    i++;
                }
                tokens.add(new Token(Arrays.copyOfRange(command, start, i), true, false));
            }
        }
        return tokens;
    }

    /** A LIST pattern as a regular expression: {@code *} matches anything, {@code %} no separator. */
    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '%') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : "[^" + Pattern.quote(String.valueOf(SEPARATOR)) + "]*");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString());
    }

    /** RFC 3501 5.1.3: printable ASCII stands for itself ({@code &} as {@code &-}), the rest as modified BASE64. */
    private static String encodeModifiedUtf7(String name) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c == '&' ? "&-" : String.valueOf(c));
                i++;
                continue;
            }
            int end = i;
            while (end < name.length() && (name.charAt(end) < 0x20 || name.charAt(end) > 0x7e)) {
                end++;
            }
            byte[] utf16 = name.substring(i, end).getBytes(StandardCharsets.UTF_16BE);
            out.append('&')
                    .append(Base64.getEncoder()
                            .withoutPadding()
                            .encodeToString(utf16)
                            .replace('/', ','))
                    .append('-');
            i = end;
        }
        return out.toString();
    }

    /** The inverse of {@link #encodeModifiedUtf7}. */
    private static String decodeModifiedUtf7(String wire) throws Bad {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < wire.length()) {
            char c = wire.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = wire.indexOf('-', i);
            if (end < 0) {
                throw new Bad("modified BASE64 without its closing '-'");
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                try {
                    byte[] utf16 = Base64.getDecoder()
                            .decode(wire.substring(i + 1, end).replace(',', '/'));
                    out.append(new String(utf16, StandardCharsets.UTF_16BE));
                } catch (IllegalArgumentException e) {
                    throw new Bad("bad modified BASE64 in " + wire);
                }
            }
            i = end + 1;
        }
        return out.toString();
    }
}
