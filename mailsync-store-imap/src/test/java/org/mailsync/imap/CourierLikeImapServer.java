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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A scripted IMAP server on loopback that behaves like Courier-IMAP where Courier differs from
 * Dovecot: no UIDPLUS (no APPENDUID), no LITERAL+ (the client must wait for each continuation),
 * no MULTIAPPEND, CONDSTORE, QRESYNC, MOVE, ENABLE or SPECIAL-USE, the {@code INBOX.} namespace
 * with {@code .}, and, above all, a session that sees messages added to its selected mailbox
 * (by itself or by anyone else) only after a NOOP or a new SELECT: until then FETCH, SEARCH and
 * even STATUS of that mailbox answer from the session's old view.
 *
 * <p>Optional modes, set before a client connects: keywords off (PERMANENTFLAGS without
 * {@code \*}; keywords are silently not kept), rewriting what it stores (a final CRLF where one
 * is missing, 8-bit header bytes replaced by {@code X}, as Cyrus does), dropping the connection
 * right after the n-th APPEND is stored (a kill at the worst moment), an {@code [ALERT]} with
 * each APPEND, a quota that refuses APPENDs without a response code, and CREATE-SPECIAL-USE.
 * Every protocol violation by the client (a non-synchronizing literal, several messages in one
 * APPEND) is recorded in {@link #violations()}.
 *
 * <p>Thread-safe: each connection is served on a thread of its own; mailboxes are guarded by the
 * server's lock.
 */
final class CourierLikeImapServer implements AutoCloseable {
    private static final String PREFIX = "INBOX.";
    private static final String SYSTEM_FLAGS = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

    private final ServerSocket listener;
    private final Map<String, Mailbox> mailboxes = new TreeMap<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger appends = new AtomicInteger();
    private long nextUidValidity = 7000;

    private volatile boolean keywords = true;
    private volatile Set<String> keywordsOffIn = Set.of();
    private volatile boolean rewrites;
    private volatile int dropAfterAppend;
    private volatile @Nullable String appendAlert;
    private volatile @Nullable String selectAlert;
    private volatile int quotaMessages = -1;
    private volatile String quotaRefusal = "";
    private volatile boolean createSpecialUse;
    private volatile String extraCapabilities = "";
    private volatile @Nullable List<String> quotaLines;
    private volatile @Nullable String appendLimitStatus;

    /** Starts a server holding an empty INBOX. */
    CourierLikeImapServer() throws IOException {
        mailboxes.put("INBOX", new Mailbox(nextUidValidity++));
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "courier-like-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** PERMANENTFLAGS without {@code \*}: keywords given to APPEND or STORE are not kept. */
    CourierLikeImapServer keywordsOff() {
        keywords = false;
        return this;
    }

    /** Keywords off as {@link #keywordsOff()}, but only in these mailboxes (server names). */
    CourierLikeImapServer keywordsOffIn(String... mailboxes) {
        keywordsOffIn = Set.of(mailboxes);
        return this;
    }

    private boolean keepsKeywords(@Nullable String mailbox) {
        return keywords && !keywordsOffIn.contains(mailbox);
    }

    /** Stores a final CRLF where one is missing and replaces 8-bit header bytes with 'X'. */
    CourierLikeImapServer rewriting() {
        rewrites = true;
        return this;
    }

    /** Closes the connection, without an answer, right after the n-th APPEND (counted from now) is stored. */
    CourierLikeImapServer dropConnectionAfterAppend(int n) {
        appends.set(0);
        dropAfterAppend = n;
        return this;
    }

    /** Sends {@code * OK [ALERT] text} before the answer to every APPEND. */
    CourierLikeImapServer alertOnAppend(String text) {
        appendAlert = text;
        return this;
    }

    /** Sends {@code * OK [ALERT] text} in the answer to every SELECT. */
    CourierLikeImapServer alertOnSelect(String text) {
        selectAlert = text;
        return this;
    }

    /** Refuses APPENDs to a mailbox holding {@code messages} or more with {@code NO text} (no response code). */
    CourierLikeImapServer quota(int messages, String refusal) {
        quotaMessages = messages;
        quotaRefusal = refusal;
        return this;
    }

    /** Offers SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154), which Courier does not. */
    CourierLikeImapServer offerCreateSpecialUse() {
        createSpecialUse = true;
        return this;
    }

    /**
     * Offers these capabilities too, e.g. {@code APPENDLIMIT=1000} or {@code STATUS=SIZE} (then
     * {@code STATUS (SIZE)} answers the sum of the mailbox's message sizes).
     */
    CourierLikeImapServer offer(String capabilities) {
        extraCapabilities = " " + capabilities;
        return this;
    }

    /** Answers {@code GETQUOTAROOT} with {@code * QUOTAROOT} naming no root, then these {@code * QUOTA} lines. */
    CourierLikeImapServer quotaRoot(String... quotaAnswers) {
        quotaLines = List.of(quotaAnswers);
        return this;
    }

    /** Answers {@code STATUS name (APPENDLIMIT)} (RFC 7889) with this value ({@code 1000} or {@code NIL}). */
    CourierLikeImapServer appendLimitInStatus(String value) {
        appendLimitStatus = value;
        return this;
    }

    /** Every command received, tag and literals left out. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    /** What the client did that this server does not allow. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** APPENDs stored since the server started or {@link #dropConnectionAfterAppend} was set. */
    int appendCount() {
        return appends.get();
    }

    /** The raw messages of a mailbox (server name), in UID order. */
    synchronized List<byte[]> messages(String mailbox) {
        List<byte[]> out = new ArrayList<>();
        Mailbox box = mailboxes.get(mailbox);
        if (box != null) {
            box.messages.values().forEach(m -> out.add(m.bytes.clone()));
        }
        return out;
    }

    /** The flags of each message of a mailbox (server name), in UID order. */
    synchronized List<Set<String>> flags(String mailbox) {
        List<Set<String>> out = new ArrayList<>();
        Mailbox box = mailboxes.get(mailbox);
        if (box != null) {
            box.messages.values().forEach(m -> out.add(Set.copyOf(m.flags)));
        }
        return out;
    }

    /** The special-use attribute a mailbox was created with, if any. */
    synchronized @Nullable String specialUse(String mailbox) {
        Mailbox box = mailboxes.get(mailbox);
        return box == null ? null : box.specialUse;
    }

    private String capabilities() {
        // Courier-IMAP 5.0's list, less what it offers only in some builds.
        return "IMAP4rev1 CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT SORT QUOTA IDLE"
                + (createSpecialUse ? " SPECIAL-USE CREATE-SPECIAL-USE" : "")
                + extraCapabilities;
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
            Thread session = new Thread(() -> serve(client), "courier-like-session");
            session.setDaemon(true);
            session.start();
        }
    }

    private void serve(Socket client) {
        try {
            // Answers go out a line at a time: without NODELAY each waits for the client's delayed ACK.
            client.setTcpNoDelay(true);
        } catch (IOException e) {
            return;
        }
        try (client;
                InputStream in = new BufferedInputStream(client.getInputStream());
                OutputStream out = new BufferedOutputStream(client.getOutputStream())) {
            new Session(in, out).run();
        } catch (IOException e) {
            // The client went away, the server was closed, or a drop was scripted.
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

    private static final class Mailbox {
        final long uidValidity;
        long nextUid = 1;
        final TreeMap<Long, Message> messages = new TreeMap<>();

        @Nullable
        String specialUse;

        Mailbox(long uidValidity) {
            this.uidValidity = uidValidity;
        }
    }

    private static final class Message {
        final long uid;
        final byte[] bytes;
        final Set<String> flags = new LinkedHashSet<>();
        final String internalDate;

        Message(long uid, byte[] bytes, String internalDate) {
            this.uid = uid;
            this.bytes = bytes;
            this.internalDate = internalDate;
        }
    }

    /** A command argument: an atom, a quoted string, a literal, or a parenthesised list (raw). */
    private record Token(byte[] bytes, boolean atom, boolean list) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A malformed or unsupported command, answered with BAD. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    /** Ends the session without a word (a scripted connection drop). */
    private static final class Drop extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private final class Session {
        private final InputStream in;
        private final OutputStream out;
        private boolean authenticated;
        private @Nullable String selected;

        /** The UIDs of the selected mailbox this session has been told of (Courier's view). */
        private final List<Long> view = new ArrayList<>();

        private long viewUidNext;

        Session(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        void run() throws IOException {
            send("* OK [CAPABILITY " + capabilities() + "] Courier-like IMAP server ready");
            while (true) {
                List<Token> tokens;
                try {
                    tokens = readCommand();
                } catch (Bad e) {
                    send("* BAD " + e.getMessage());
                    continue;
                }
                if (tokens.size() < 2 || !tokens.get(0).atom() || !tokens.get(1).atom()) {
                    send("* BAD expected a tag and a command");
                    continue;
                }
                String tag = tokens.get(0).text();
                String name = tokens.get(1).text().toUpperCase(Locale.ROOT);
                try {
                    synchronized (CourierLikeImapServer.this) {
                        if (!answer(tag, name, tokens.subList(2, tokens.size()))) {
                            return;
                        }
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
                case "CAPABILITY" -> send("* CAPABILITY " + capabilities());
                case "NOOP", "CHECK" -> refresh();
                case "LOGOUT" -> {
                    send("* BYE logging out");
                    send(tag + " OK LOGOUT completed");
                    return false;
                }
                case "LOGIN" -> {
                    count(args, 2);
                    authenticated = true;
                }
                case "NAMESPACE" -> send("* NAMESPACE ((\"" + PREFIX + "\" \".\")) NIL NIL");
                case "LIST" -> list(command, args);
                case "LSUB" -> lsub(args);
                case "SUBSCRIBE", "UNSUBSCRIBE" -> {
                    count(args, 1);
                    String name = mailbox(args.get(0));
                    if (command.equals("SUBSCRIBE")) {
                        subscribed.add(name);
                    } else {
                        subscribed.remove(name);
                    }
                }
                case "CREATE" -> {
                    if (!create(tag, args)) {
                        return true;
                    }
                }
                case "SELECT", "EXAMINE" -> {
                    select(tag, command, args);
                    return true;
                }
                case "STATUS" -> {
                    if (!status(tag, args)) {
                        return true;
                    }
                }
                case "APPEND" -> {
                    append(tag, args);
                    return true;
                }
                case "EXPUNGE" -> expunge();
                case "UID" -> uid(args);
                case "GETQUOTAROOT" -> {
                    List<String> lines = quotaLines;
                    if (lines == null) {
                        throw new Bad("command not offered: " + command);
                    }
                    count(args, 1);
                    send("* QUOTAROOT \"" + mailbox(args.get(0)) + "\"" + (lines.isEmpty() ? "" : " \"User quota\""));
                    for (String line : lines) {
                        send("* QUOTA " + line);
                    }
                }
                default -> throw new Bad("command not offered: " + command);
            }
            send(tag + " OK " + command + " completed");
            return true;
        }

        private boolean create(String tag, List<Token> args) throws IOException, Bad {
            if (args.size() == 2 && createSpecialUse && args.get(1).list()) {
                // RFC 6154 3: CREATE name (USE (\Sent))
                Matcher m = Pattern.compile("USE \\((\\\\\\w+)\\)", Pattern.CASE_INSENSITIVE)
                        .matcher(args.get(1).text());
                if (!m.find()) {
                    throw new Bad("unknown CREATE parameter " + args.get(1).text());
                }
                String name = mailbox(args.get(0));
                if (mailboxes.containsKey(name)) {
                    send(tag + " NO [ALREADYEXISTS] Mailbox exists");
                    return false;
                }
                if (m.group(1).equalsIgnoreCase("\\All") || m.group(1).equalsIgnoreCase("\\Flagged")) {
                    // Virtual uses, which a server with real folders cannot give (RFC 6154 3).
                    send(tag + " NO [USEATTR] " + m.group(1) + " not supported");
                    return false;
                }
                Mailbox box = new Mailbox(nextUidValidity++);
                box.specialUse = m.group(1);
                mailboxes.put(name, box);
                return true;
            }
            count(args, 1);
            String name = mailbox(args.get(0));
            if (mailboxes.containsKey(name)) {
                send(tag + " NO Mailbox already exists"); // Courier says so without a code
                return false;
            }
            if (!name.startsWith(PREFIX)) {
                send(tag + " NO Invalid mailbox name");
                return false;
            }
            mailboxes.put(name, new Mailbox(nextUidValidity++));
            return true;
        }

        private void list(String command, List<Token> args) throws IOException, Bad {
            count(args, 2);
            String pattern = mailbox(args.get(1));
            if (pattern.isEmpty()) {
                send("* " + command + " (\\Noselect) \".\" \"\"");
                return;
            }
            Pattern glob = glob(pattern);
            for (Map.Entry<String, Mailbox> e : mailboxes.entrySet()) {
                if (glob.matcher(e.getKey()).matches()) {
                    String attrs = e.getValue().specialUse == null || !createSpecialUse
                            ? "\\HasNoChildren"
                            : "\\HasNoChildren " + e.getValue().specialUse;
                    send("* " + command + " (" + attrs + ") \".\" \"" + e.getKey() + "\"");
                }
            }
        }

        private void lsub(List<Token> args) throws IOException, Bad {
            count(args, 2);
            Pattern glob = glob(mailbox(args.get(1)));
            for (String name : new TreeSet<>(subscribed)) {
                if (glob.matcher(name).matches()) {
                    send("* LSUB () \".\" \"" + name + "\"");
                }
            }
        }

        private void select(String tag, String command, List<Token> args) throws IOException, Bad {
            count(args, 1);
            String name = mailbox(args.get(0));
            selected = null;
            view.clear();
            Mailbox box = mailboxes.get(name);
            if (box == null) {
                send(tag + " NO Mailbox does not exist");
                return;
            }
            view.addAll(box.messages.keySet());
            viewUidNext = box.nextUid;
            send("* FLAGS (" + SYSTEM_FLAGS + ")");
            send("* OK [PERMANENTFLAGS (" + SYSTEM_FLAGS + (keepsKeywords(name) ? " \\*" : "") + ")] Permanent flags");
            send("* " + view.size() + " EXISTS");
            send("* 0 RECENT");
            send("* OK [UIDVALIDITY " + box.uidValidity + "] Ok");
            send("* OK [UIDNEXT " + viewUidNext + "] Ok");
            selected = name;
            if (selectAlert != null) {
                send("* OK [ALERT] " + selectAlert);
            }
            send(tag + " OK [" + (command.equals("EXAMINE") ? "READ-ONLY" : "READ-WRITE") + "] Ok");
        }

        /** NOOP: the session learns of messages added to its mailbox since its view was taken. */
        private void refresh() throws IOException {
            if (selected == null) {
                return;
            }
            Mailbox box = mailboxes.get(selected);
            int before = view.size();
            for (long uid : box.messages.keySet()) {
                if (uid >= viewUidNext) {
                    view.add(uid);
                }
            }
            viewUidNext = box.nextUid;
            if (view.size() != before) {
                send("* " + view.size() + " EXISTS");
            }
        }

        private boolean status(String tag, List<Token> args) throws IOException, Bad {
            count(args, 2);
            String name = mailbox(args.get(0));
            Mailbox box = mailboxes.get(name);
            if (box == null) {
                send(tag + " NO Mailbox does not exist");
                return false;
            }
            // The selected mailbox is answered from the session's view, as Courier does.
            boolean fromView = name.equals(selected);
            List<String> items = new ArrayList<>();
            for (String item : args.get(1).text().trim().split("\\s+")) {
                String upper = item.toUpperCase(Locale.ROOT);
                switch (upper) {
                    case "MESSAGES" -> items.add("MESSAGES " + (fromView ? view.size() : box.messages.size()));
                    case "RECENT", "UNSEEN" -> items.add(upper + " 0");
                    case "UIDNEXT" -> items.add("UIDNEXT " + (fromView ? viewUidNext : box.nextUid));
                    case "UIDVALIDITY" -> items.add("UIDVALIDITY " + box.uidValidity);
                    case "SIZE" -> {
                        if (!extraCapabilities.contains("STATUS=SIZE")) {
                            throw new Bad("unknown STATUS item " + item);
                        }
                        items.add("SIZE "
                                + box.messages.values().stream()
                                        .mapToLong(x -> x.bytes.length)
                                        .sum());
                    }
                    case "APPENDLIMIT" -> {
                        String limit = appendLimitStatus;
                        if (limit == null) {
                            throw new Bad("unknown STATUS item " + item);
                        }
                        items.add("APPENDLIMIT " + limit);
                    }
                    default -> throw new Bad("unknown STATUS item " + item);
                }
            }
            send("* STATUS \"" + name + "\" (" + String.join(" ", items) + ")");
            return true;
        }

        private void append(String tag, List<Token> args) throws IOException, Bad {
            if (args.isEmpty()) {
                throw new Bad("APPEND needs a mailbox");
            }
            String name = mailbox(args.get(0));
            int i = 1;
            Set<String> flags = new LinkedHashSet<>();
            if (i < args.size() && args.get(i).list()) {
                for (String f : args.get(i).text().trim().split("\\s+")) {
                    if (!f.isEmpty()) {
                        flags.add(f);
                    }
                }
                i++;
            }
            String date = "01-Jan-2020 00:00:00 +0000";
            if (i < args.size() && !args.get(i).atom() && !args.get(i).list() && i + 1 < args.size()) {
                date = args.get(i).text();
                i++;
            }
            if (i != args.size() - 1) {
                violations.add("APPEND with " + (args.size() - i) + " messages (no MULTIAPPEND offered)");
                throw new Bad("one message per APPEND");
            }
            Mailbox box = mailboxes.get(name);
            if (box == null) {
                send(tag + " NO [TRYCREATE] Mailbox does not exist");
                return;
            }
            if (quotaMessages >= 0 && box.messages.size() >= quotaMessages) {
                send(tag + " NO " + quotaRefusal);
                return;
            }
            byte[] bytes = args.get(i).bytes();
            if (rewrites) {
                bytes = rewrite(bytes);
            }
            Message m = new Message(box.nextUid++, bytes, date);
            for (String f : flags) {
                if (f.startsWith("\\") || keepsKeywords(name)) {
                    m.flags.add(f);
                }
            }
            box.messages.put(m.uid, m);
            if (appends.incrementAndGet() == dropAfterAppend) {
                dropAfterAppend = 0;
                throw new Drop();
            }
            if (appendAlert != null) {
                send("* OK [ALERT] " + appendAlert);
            }
            send(tag + " OK APPEND completed"); // no APPENDUID: no UIDPLUS
        }

        private void expunge() throws IOException {
            if (selected == null) {
                return;
            }
            Mailbox box = mailboxes.get(selected);
            for (Message m : List.copyOf(box.messages.values())) {
                if (m.flags.contains("\\Deleted")) {
                    box.messages.remove(m.uid);
                    int seq = view.indexOf(m.uid);
                    if (seq >= 0) {
                        view.remove(seq);
                        send("* " + (seq + 1) + " EXPUNGE");
                    }
                }
            }
        }

        private void uid(List<Token> args) throws IOException, Bad {
            if (selected == null) {
                throw new Bad("no mailbox selected");
            }
            if (args.size() < 2) {
                throw new Bad("UID needs a command and a set");
            }
            String sub = args.get(0).text().toUpperCase(Locale.ROOT);
            Mailbox box = mailboxes.get(selected);
            switch (sub) {
                case "FETCH" -> {
                    count(args, 3);
                    for (long uid : matching(args.get(1).text(), box)) {
                        fetch(box.messages.get(uid), args.get(2));
                    }
                }
                case "SEARCH" -> {
                    String criteria = args.subList(1, args.size()).stream()
                            .map(Token::text)
                            .reduce((a, b) -> a + " " + b)
                            .orElse("")
                            .toUpperCase(Locale.ROOT);
                    StringBuilder answer = new StringBuilder("* SEARCH");
                    for (long uid : view) {
                        Message m = box.messages.get(uid);
                        boolean hit =
                                switch (criteria) {
                                    case "ALL" -> true;
                                    case "DELETED" -> m != null && m.flags.contains("\\Deleted");
                                    default -> {
                                        if (!criteria.matches("LARGER [0-9]+")) {
                                            throw new Bad("search not scripted: " + criteria);
                                        }
                                        yield m != null && m.bytes.length > Long.parseLong(criteria.substring(7));
                                    }
                                };
                        if (hit && m != null) {
                            answer.append(' ').append(uid);
                        }
                    }
                    send(answer.toString());
                }
                case "STORE" -> {
                    count(args, 4);
                    String item = args.get(2).text().toUpperCase(Locale.ROOT);
                    Set<String> given = new LinkedHashSet<>();
                    for (String f : args.get(3).text().trim().split("\\s+")) {
                        if (!f.isEmpty() && (f.startsWith("\\") || keepsKeywords(selected))) {
                            given.add(f);
                        }
                    }
                    for (long uid : matching(args.get(1).text(), box)) {
                        Message m = box.messages.get(uid);
                        if (item.startsWith("+")) {
                            m.flags.addAll(given);
                        } else if (item.startsWith("-")) {
                            m.flags.removeIf(f -> given.stream().anyMatch(g -> g.equalsIgnoreCase(f)));
                        } else {
                            m.flags.clear();
                            m.flags.addAll(given);
                        }
                        if (!item.endsWith(".SILENT")) {
                            send("* " + (view.indexOf(uid) + 1) + " FETCH (UID " + uid + " FLAGS ("
                                    + String.join(" ", m.flags) + "))");
                        }
                    }
                }
                case "COPY" -> {
                    count(args, 3);
                    Mailbox to = mailboxes.get(mailbox(args.get(2)));
                    if (to == null) {
                        throw new Bad("no such mailbox"); // answered NO [TRYCREATE] by real servers
                    }
                    for (long uid : matching(args.get(1).text(), box)) {
                        Message from = box.messages.get(uid);
                        Message copy = new Message(to.nextUid++, from.bytes, from.internalDate);
                        copy.flags.addAll(from.flags);
                        to.messages.put(copy.uid, copy);
                    }
                }
                default -> throw new Bad("UID " + sub + " not offered");
            }
        }

        /** The UIDs of a set that this session can see and that still exist, ascending. */
        private List<Long> matching(String set, Mailbox box) throws Bad {
            TreeSet<Long> out = new TreeSet<>();
            long star = view.isEmpty() ? 0 : view.get(view.size() - 1);
            for (String part : set.split(",")) {
                String[] ends = part.split(":");
                try {
                    long a = ends[0].equals("*") ? star : Long.parseLong(ends[0]);
                    long b = ends.length == 1 ? a : ends[1].equals("*") ? star : Long.parseLong(ends[1]);
                    long lo = Math.min(a, b);
                    long hi = Math.max(a, b);
                    for (long uid : view) {
                        if (uid >= lo && uid <= hi && box.messages.containsKey(uid)) {
                            out.add(uid);
                        }
                    }
                } catch (NumberFormatException e) {
                    throw new Bad("bad UID set " + set);
                }
            }
            return new ArrayList<>(out);
        }

        private void fetch(Message m, Token items) throws IOException, Bad {
            String wanted = items.text();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            answer.writeBytes(
                    ("* " + (view.indexOf(m.uid) + 1) + " FETCH (UID " + m.uid).getBytes(StandardCharsets.US_ASCII));
            Matcher item = Pattern.compile("BODY\\.PEEK\\[([A-Z]*)\\](<(\\d+)\\.(\\d+)>)?|[A-Z0-9.]+")
                    .matcher(wanted.toUpperCase(Locale.ROOT));
            while (item.find()) {
                String word = item.group();
                if (word.startsWith("BODY.PEEK[")) {
                    byte[] body = item.group(1).equals("HEADER") ? header(m.bytes) : m.bytes;
                    String name = "BODY[" + item.group(1) + "]";
                    if (item.group(2) != null) {
                        int offset = (int) Math.min(body.length, Long.parseLong(item.group(3)));
                        int length = (int) Math.min(body.length - offset, Long.parseLong(item.group(4)));
                        body = Arrays.copyOfRange(body, offset, offset + length);
                        name += "<" + offset + ">";
                    }
                    answer.writeBytes((" " + name + " {" + body.length + "}\r\n").getBytes(StandardCharsets.US_ASCII));
                    answer.writeBytes(body);
                    continue;
                }
                String text =
                        switch (word) {
                            case "UID" -> "";
                            case "FLAGS" -> " FLAGS (" + String.join(" ", m.flags) + ")";
                            case "RFC822.SIZE" -> " RFC822.SIZE " + m.bytes.length;
                            case "INTERNALDATE" -> " INTERNALDATE \"" + m.internalDate + "\"";
                            default -> throw new Bad("FETCH item not scripted: " + word);
                        };
                answer.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
            }
            answer.writeBytes(")\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(answer.toByteArray());
            out.flush();
        }

        /** A mailbox argument; INBOX in any case is INBOX (RFC 3501 5.1). */
        private String mailbox(Token token) throws Bad {
            if (token.list()) {
                throw new Bad("a mailbox name is not a list");
            }
            String name = token.text();
            if (name.equalsIgnoreCase("INBOX")) {
                return "INBOX";
            }
            return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                    ? PREFIX + name.substring(PREFIX.length())
                    : name;
        }

        /** Reads a command with its literals, sending a continuation for each (no LITERAL+ here). */
        private List<Token> readCommand() throws IOException, Bad {
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            List<byte[]> literals = new ArrayList<>();
            while (true) {
                byte[] line = readLine();
                int size = literalSize(line);
                if (size < 0) {
                    command.write(line);
                    break;
                }
                boolean nonSync = line[line.length - 2] == '+';
                if (nonSync) {
                    violations.add("non-synchronizing literal {" + size + "+} without LITERAL+");
                } else {
                    send("+ Ok");
                }
                // The literal is kept apart and stands in the line as {#n}, so tokens never scan its bytes.
                int open = new String(line, StandardCharsets.ISO_8859_1).lastIndexOf('{');
                command.write(line, 0, open);
                command.writeBytes(("{#" + literals.size() + "}").getBytes(StandardCharsets.US_ASCII));
                literals.add(in.readNBytes(size));
            }
            String text = new String(command.toByteArray(), StandardCharsets.UTF_8);
            commands.add(text.indexOf(' ') < 0 ? text : text.substring(text.indexOf(' ') + 1));
            return tokenize(text, literals);
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

    /** Cyrus's munging of 8-bit header bytes and Courier's final CRLF. */
    static byte[] rewrite(byte[] bytes) {
        byte[] out = bytes.clone();
        int headerEnd = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int end = headerEnd < 0 ? out.length : headerEnd;
        for (int i = 0; i < end; i++) {
            if ((out[i] & 0xff) >= 0x80) {
                out[i] = 'X';
            }
        }
        if (out.length < 2 || out[out.length - 2] != '\r' || out[out.length - 1] != '\n') {
            out = Arrays.copyOf(out, out.length + 2);
            out[out.length - 2] = '\r';
            out[out.length - 1] = '\n';
        }
        return out;
    }

    private static byte[] header(byte[] message) {
        int end = indexOf(message, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return end < 0 ? message.clone() : Arrays.copyOf(message, end + 4);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Exactly {@code n} arguments. */
    private static void count(List<Token> args, int n) throws Bad {
        if (args.size() != n) {
            throw new Bad("expected " + n + " arguments, got " + args.size());
        }
    }

    /** Splits a command line into tokens; {@code {#i}} stands for the i-th literal. */
    private static List<Token> tokenize(String command, List<byte[]> literals) throws Bad {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < command.length()) {
            char c = command.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                StringBuilder value = new StringBuilder();
                i++;
                while (true) {
                    if (i >= command.length()) {
                        throw new Bad("unterminated quoted string");
                    }
                    char d = command.charAt(i++);
                    if (d == '"') {
                        break;
                    }
                    if (d == '\\' && i < command.length()) {
                        d = command.charAt(i++);
                    }
                    value.append(d);
                }
                tokens.add(new Token(value.toString().getBytes(StandardCharsets.UTF_8), false, false));
            } else if (c == '(') {
                int depth = 0;
                int start = i;
                do {
                    if (i >= command.length()) {
                        throw new Bad("unbalanced parenthesis");
                    }
                    depth += command.charAt(i) == '(' ? 1 : command.charAt(i) == ')' ? -1 : 0;
                    i++;
                } while (depth > 0);
                tokens.add(
                        new Token(command.substring(start + 1, i - 1).getBytes(StandardCharsets.UTF_8), false, true));
            } else if (command.startsWith("{#", i)) {
                int close = command.indexOf('}', i);
                tokens.add(new Token(literals.get(Integer.parseInt(command.substring(i + 2, close))), false, false));
                i = close + 1;
            } else {
                int start = i;
                // An atom may hold brackets (BODY.PEEK[HEADER]); a space or '(' ends it outside them.
                int brackets = 0;
                while (i < command.length()
                        && (brackets > 0 || (command.charAt(i) != ' ' && command.charAt(i) != '('))) {
                    brackets += command.charAt(i) == '[' ? 1 : command.charAt(i) == ']' ? -1 : 0;
                    i++;
                }
                tokens.add(new Token(command.substring(start, i).getBytes(StandardCharsets.UTF_8), true, false));
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
                regex.append(c == '*' ? ".*" : "[^.]*");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }
}
