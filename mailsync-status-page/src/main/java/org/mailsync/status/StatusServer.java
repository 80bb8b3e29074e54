package org.mailsync.status;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Serves the live status page of a migration: one HTML page (with its script and style sheet, no
 * outside resources) that polls a JSON endpoint about once a second and shows accounts per state,
 * a progress bar per running mailbox, throughput over time and the failures, each with a Retry
 * button.
 *
 * <pre>{@code
 * try (StatusServer server = new StatusServer(view, StatusServer.Options.loopback()).start()) {
 *     System.out.println("status page: " + server.uri());
 *     ...
 * }
 * }</pre>
 *
 * <p>Security: it binds to 127.0.0.1 by default. Binding to any other address (the wildcard
 * address included) needs a {@linkplain Options.Builder#token token}, and the constructor refuses
 * one without. With a token every request must carry it, as {@code Authorization: Bearer TOKEN},
 * or as the HttpOnly, SameSite=Strict cookie that loading the page once as {@code /?token=TOKEN}
 * sets; anything else gets 401. Without a token (loopback only) requests must name a loopback host
 * in their {@code Host} header, so that a web page the operator visits cannot reach the server
 * through a rebound DNS name. Retry is POST only and, unless it carries the bearer token, needs the
 * page's own request header and a same-origin {@code Origin}, so another site cannot forge it.
 * Every string from the view is sent as escaped JSON and put into the page as text, never as
 * markup. Lists are capped ({@link Options#maxRows()}), with counts of the rest.
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} stops it (idempotent).
 */
public final class StatusServer implements AutoCloseable {
    private static final System.Logger log = System.getLogger(StatusServer.class.getName());

    /** The request header the page's own script sends with a retry (a cross-site form cannot). */
    static final String CSRF_HEADER = "X-Mailsync-Csrf";

    private static final int MAX_BODY_BYTES = 8 * 1024;
    private static final int MAX_ACCOUNT_CHARS = 1024;
    private static final int MAX_REASON_CHARS = 2000;

    private final StatusView view;
    private final Options options;
    /** The value of the session cookie: random per server, so the token itself never sits in a browser. */
    private final byte @Nullable [] sessionSecret;

    private @Nullable HttpServer server;
    private @Nullable ExecutorService executor;
    private @Nullable String cookieName;
    private boolean closed;

    private final Object snapshotLock = new Object();
    private @Nullable StatusSnapshot cachedSnapshot;
    private long cachedAtNanos;

    /**
     * A server for {@code view}, not started yet.
     *
     * @throws IllegalArgumentException if {@code options} bind to an address other than loopback
     *     without a token
     */
    public StatusServer(StatusView view, Options options) {
        this.view = requireNonNull(view, "view");
        this.options = requireNonNull(options, "options");
        if (!options.bindAddress().isLoopbackAddress() && options.token == null) {
            throw new IllegalArgumentException(
                    "the status page binds to " + options.bindAddress().getHostAddress()
                            + ", which is not a loopback address: set a token (Options.Builder.token, see"
                            + " StatusServer.newToken()) so that only its holders can see the accounts and retry them");
        }
        this.sessionSecret = options.token == null ? null : randomBytes(32);
    }

    /** A new random token (256 bits, URL-safe Base64), for {@link Options.Builder#token}. */
    public static String newToken() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    /**
     * Binds and starts serving.
     *
     * @return this server
     * @throws IOException if the address cannot be bound
     * @throws IllegalStateException if it was started or closed before
     */
    public synchronized StatusServer start() throws IOException {
        if (server != null || closed) {
            throw new IllegalStateException("a StatusServer starts once");
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(options.bindAddress(), options.port()), 50);
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "mailsync-status-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
        // Cookies are not kept apart by port: two servers on one host get two names.
        cookieName = "mailsync_status_" + http.getAddress().getPort();
        server = http;
        executor = threads;
        return this;
    }

    /**
     * The address it listens on (with the port chosen when {@link Options#port()} is 0).
     *
     * @throws IllegalStateException if not started
     */
    public synchronized InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress();
    }

    /**
     * The page's address, without the token: {@code http://HOST:PORT/}. For the wildcard address
     * the host is 127.0.0.1.
     *
     * @throws IllegalStateException if not started
     */
    public URI uri() {
        InetSocketAddress address = address();
        InetAddress host = address.getAddress();
        String name = host.isAnyLocalAddress() ? "127.0.0.1" : host.getHostAddress();
        if (name.contains(":")) {
            name = "[" + name.replaceFirst("%.*$", "") + "]";
        }
        return URI.create("http://" + name + ":" + address.getPort() + "/");
    }

    /** Whether requests need the token. */
    public boolean tokenRequired() {
        return options.token != null;
    }

    /**
     * Stops serving at once: a request under way is cut off (the page just polls again). The
     * JDK server's graceful stop would wait out every idle keep-alive connection.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
    }

    @Override
    public String toString() {
        return "StatusServer{" + options + "}";
    }

    // --- requests ----------------------------------------------------------------------------

    private enum Auth {
        /** No token is set (loopback only). */
        OPEN,
        BEARER,
        COOKIE,
        /** The right {@code ?token=} on a page load: the response sets the cookie. */
        QUERY,
        REFUSED
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            Headers out = exchange.getResponseHeaders();
            out.set("Cache-Control", "no-store");
            out.set("X-Content-Type-Options", "nosniff");
            out.set("Referrer-Policy", "no-referrer");
            out.set("X-Frame-Options", "DENY");
            out.set(
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
                            + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (!hostAllowed(exchange)) {
                sendText(
                        exchange,
                        403,
                        "403: this status page answers only to a loopback host name (127.0.0.1,"
                                + " localhost, [::1]); bind it elsewhere with a token to reach it from other hosts\n");
                return;
            }
            Auth auth = authenticate(exchange, path, method);
            if (auth == Auth.REFUSED) {
                out.set("WWW-Authenticate", "Bearer realm=\"mailsync status\"");
                sendText(
                        exchange,
                        401,
                        "401: this status page needs its token: open it once as /?token=TOKEN, or"
                                + " send the header Authorization: Bearer TOKEN\n");
                return;
            }
            switch (path) {
                case "/" -> {
                    if (allow(exchange, method, "GET", "HEAD")) {
                        if (auth == Auth.QUERY) {
                            out.add(
                                    "Set-Cookie",
                                    cookieName + "=" + encode(requireNonNull(sessionSecret))
                                            + "; Path=/; HttpOnly; SameSite=Strict");
                        }
                        sendResource(exchange, "page.html", "text/html; charset=utf-8");
                    }
                }
                case "/status.js" -> {
                    if (allow(exchange, method, "GET", "HEAD")) {
                        sendResource(exchange, "status.js", "text/javascript; charset=utf-8");
                    }
                }
                case "/status.css" -> {
                    if (allow(exchange, method, "GET", "HEAD")) {
                        sendResource(exchange, "status.css", "text/css; charset=utf-8");
                    }
                }
                case "/api/status" -> {
                    if (allow(exchange, method, "GET", "HEAD")) {
                        status(exchange);
                    }
                }
                case "/api/retry" -> {
                    if (allow(exchange, method, "POST")) {
                        retry(exchange, auth);
                    }
                }
                default -> sendText(exchange, 404, "404: no such page\n");
            }
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "status page request failed: " + e);
            if (exchange.getResponseCode() == -1) {
                sendText(exchange, 500, "500: internal error\n");
            }
        } finally {
            exchange.close();
        }
    }

    private boolean hostAllowed(HttpExchange exchange) {
        if (options.token != null) {
            // The token guards the server; a rebound DNS name does not give a page the cookie.
            return true;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return false;
        }
        host = host.toLowerCase(Locale.ROOT);
        int port = exchange.getLocalAddress().getPort();
        for (String name : List.of("127.0.0.1", "localhost", "[::1]")) {
            if (host.equals(name) || host.equals(name + ":" + port)) {
                return true;
            }
        }
        return false;
    }

    private Auth authenticate(HttpExchange exchange, String path, String method) {
        String token = options.token;
        if (token == null) {
            return Auth.OPEN;
        }
        Headers in = exchange.getRequestHeaders();
        String authorization = in.getFirst("Authorization");
        if (authorization != null
                && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && constantTimeEquals(authorization.substring(7).trim(), token)) {
            return Auth.BEARER;
        }
        String expected = encode(requireNonNull(sessionSecret));
        List<String> cookieHeaders = in.get("Cookie");
        if (cookieHeaders != null) {
            for (String header : cookieHeaders) {
                for (String cookie : header.split(";")) {
                    int eq = cookie.indexOf('=');
                    if (eq > 0
                            && cookie.substring(0, eq).trim().equals(cookieName)
                            && constantTimeEquals(cookie.substring(eq + 1).trim(), expected)) {
                        return Auth.COOKIE;
                    }
                }
            }
        }
        if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
            Optional<String> given = queryParameter(exchange.getRequestURI().getRawQuery(), "token");
            if (given.isPresent() && constantTimeEquals(given.get(), token)) {
                return Auth.QUERY;
            }
        }
        return Auth.REFUSED;
    }

    private void status(HttpExchange exchange) throws IOException {
        StatusSnapshot snapshot;
        try {
            snapshot = snapshot();
        } catch (RuntimeException e) {
            // The message may name the database; the page needs only to know the status is stale.
            log.log(System.Logger.Level.WARNING, "the status view failed: " + e);
            sendJson(
                    exchange,
                    503,
                    new Json()
                            .beginObject()
                            .field("error", "status unavailable")
                            .endObject());
            return;
        }
        sendJson(exchange, 200, toJson(snapshot));
    }

    private StatusSnapshot snapshot() {
        synchronized (snapshotLock) {
            long now = System.nanoTime();
            StatusSnapshot cached = cachedSnapshot;
            if (cached != null
                    && now - cachedAtNanos < options.minSnapshotInterval().toNanos()) {
                return cached;
            }
            // Under the lock: however many pages poll, the view is asked at most once per interval.
            StatusSnapshot fresh = requireNonNull(view.snapshot(), "StatusView.snapshot() returned null");
            cachedSnapshot = fresh;
            cachedAtNanos = now;
            return fresh;
        }
    }

    private Json toJson(StatusSnapshot s) {
        int maxRows = options.maxRows();
        Json json = new Json().beginObject().field("time", s.time().toString());
        json.beginArray("states");
        int states = 0;
        long otherStates = 0;
        for (Map.Entry<String, Long> e : s.accountsByState().entrySet()) {
            if (states++ < maxRows) {
                json.beginObject()
                        .field("state", cap(e.getKey(), MAX_ACCOUNT_CHARS))
                        .field("count", e.getValue())
                        .endObject();
            } else {
                otherStates += e.getValue();
            }
        }
        json.endArray().field("otherStatesCount", otherStates);
        json.beginArray("running");
        for (RunningMailbox r :
                s.running().subList(0, Math.min(maxRows, s.running().size()))) {
            json.beginObject()
                    .field("account", cap(r.account(), MAX_ACCOUNT_CHARS))
                    .field("worker", cap(r.worker(), MAX_ACCOUNT_CHARS))
                    .field("messagesDone", r.messagesDone())
                    .field("messagesTotal", r.messagesTotal())
                    .field("bytesDone", r.bytesDone())
                    .field("bytesTotal", r.bytesTotal())
                    .field("started", r.started().toString())
                    .endObject();
        }
        json.endArray().field("runningTotal", s.runningTotal());
        json.beginArray("throughput");
        List<ThroughputPoint> points = s.throughput();
        for (ThroughputPoint p :
                points.subList(Math.max(0, points.size() - options.maxThroughputPoints()), points.size())) {
            json.beginObject()
                    .field("time", p.time().toString())
                    .field("messagesPerMinute", p.messagesPerMinute())
                    .endObject();
        }
        json.endArray();
        json.beginArray("failures");
        for (AccountFailure f :
                s.failures().subList(0, Math.min(maxRows, s.failures().size()))) {
            json.beginObject()
                    .field("account", cap(f.account(), MAX_ACCOUNT_CHARS))
                    .field("reason", cap(f.reason(), MAX_REASON_CHARS))
                    .field("attempts", f.attempts())
                    .field("time", f.time().toString())
                    .endObject();
        }
        json.endArray().field("failuresTotal", s.failuresTotal());
        return json.endObject();
    }

    private void retry(HttpExchange exchange, Auth auth) throws IOException {
        if (auth != Auth.BEARER && !sameOriginRequest(exchange)) {
            sendText(exchange, 403, "403: a retry must come from the status page itself (or carry the bearer token)\n");
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            sendText(exchange, 413, "413: request too large\n");
            return;
        }
        Optional<String> account = queryParameter(new String(body, StandardCharsets.UTF_8), "account");
        if (account.isEmpty() || account.get().isEmpty() || account.get().length() > MAX_ACCOUNT_CHARS) {
            sendText(exchange, 400, "400: send account=NAME (form-encoded)\n");
            return;
        }
        boolean requeued;
        try {
            requeued = view.retry(account.get());
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "the status view failed to retry an account: " + e);
            sendJson(
                    exchange,
                    503,
                    new Json().beginObject().field("error", "retry unavailable").endObject());
            return;
        }
        synchronized (snapshotLock) {
            cachedSnapshot = null; // the next poll shows the account's new state
        }
        sendJson(
                exchange,
                200,
                new Json()
                        .beginObject()
                        .field("account", account.get())
                        .field("requeued", requeued)
                        .endObject());
    }

    /**
     * Whether a cookie-borne (or token-less) POST comes from the page itself: it carries the page's
     * own header (which a cross-site form cannot send, and a cross-site script cannot without a
     * CORS preflight this server never grants), and the browser's origin headers, when present,
     * say same origin.
     */
    private static boolean sameOriginRequest(HttpExchange exchange) {
        Headers in = exchange.getRequestHeaders();
        if (!"1".equals(in.getFirst(CSRF_HEADER))) {
            return false;
        }
        String fetchSite = in.getFirst("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equals("same-origin")) {
            return false;
        }
        String origin = in.getFirst("Origin");
        String host = in.getFirst("Host");
        return origin == null || (host != null && origin.equalsIgnoreCase("http://" + host));
    }

    private static boolean allow(HttpExchange exchange, String method, String... allowed) throws IOException {
        for (String m : allowed) {
            if (m.equals(method)) {
                return true;
            }
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
        sendText(exchange, 405, "405: method not allowed\n");
        return false;
    }

    private void sendResource(HttpExchange exchange, String name, String contentType) throws IOException {
        byte[] bytes;
        try (InputStream in = StatusServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the status page resource " + name + " is missing from the jar");
            }
            bytes = in.readAllBytes();
        }
        send(exchange, 200, contentType, bytes);
    }

    private static void sendJson(HttpExchange exchange, int status, Json json) throws IOException {
        send(
                exchange,
                status,
                "application/json; charset=utf-8",
                json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    private static Optional<String> queryParameter(@Nullable String query, String name) {
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                try {
                    return Optional.of(URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return Optional.empty(); // a malformed %-escape
                }
            }
        }
        return Optional.empty();
    }

    private static boolean constantTimeEquals(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private static String cap(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /**
     * How a {@link StatusServer} binds and what it sends.
     *
     * <p>Immutable; {@link #toString()} never shows the token.
     */
    public static final class Options {
        private final InetAddress bindAddress;
        private final int port;
        private final @Nullable String token;
        private final int maxRows;
        private final int maxThroughputPoints;
        private final int threads;
        private final Duration minSnapshotInterval;

        private Options(Builder b) {
            this.bindAddress = b.bindAddress;
            this.port = b.port;
            this.token = b.token;
            this.maxRows = b.maxRows;
            this.maxThroughputPoints = b.maxThroughputPoints;
            this.threads = b.threads;
            this.minSnapshotInterval = b.minSnapshotInterval;
        }

        /** 127.0.0.1, a free port, no token, and the default caps. */
        public static Options loopback() {
            return builder().build();
        }

        /** A builder with every setting at its default. */
        public static Builder builder() {
            return new Builder();
        }

        /** The address to bind (default 127.0.0.1). */
        public InetAddress bindAddress() {
            return bindAddress;
        }

        /** The port to bind; 0 (the default) picks a free one. */
        public int port() {
            return port;
        }

        /** Whether a token is set (the token itself is not readable back). */
        public boolean hasToken() {
            return token != null;
        }

        /**
         * At most this many rows of running mailboxes, of failures and of states are sent (default
         * 100); the page shows how many more there are.
         */
        public int maxRows() {
            return maxRows;
        }

        /** At most this many of the latest throughput points are sent (default 720). */
        public int maxThroughputPoints() {
            return maxThroughputPoints;
        }

        /** Threads answering requests (default 4). */
        public int threads() {
            return threads;
        }

        /**
         * A snapshot is reused for this long (default 500 ms), so that the view is asked at most
         * about twice a second however many pages are open. A retry clears it.
         */
        public Duration minSnapshotInterval() {
            return minSnapshotInterval;
        }

        @Override
        public String toString() {
            return "Options{bind=" + bindAddress.getHostAddress() + ", port=" + port + ", token="
                    + (token == null ? "none" : "set") + ", maxRows=" + maxRows + ", maxThroughputPoints="
                    + maxThroughputPoints + ", threads=" + threads + ", minSnapshotInterval="
                    + minSnapshotInterval + "}";
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            /** The shortest token taken: a guessable token would be no guard on an open port. */
            public static final int MIN_TOKEN_LENGTH = 16;

            private InetAddress bindAddress = InetAddress.getLoopbackAddress();
            private int port;
            private @Nullable String token;
            private int maxRows = 100;
            private int maxThroughputPoints = 720;
            private int threads = 4;
            private Duration minSnapshotInterval = Duration.ofMillis(500);

            private Builder() {}

            /**
             * The address to bind. Anything but a loopback address (the wildcard 0.0.0.0
             * included) needs a {@link #token}.
             */
            public Builder bindAddress(InetAddress address) {
                this.bindAddress = requireNonNull(address, "address");
                return this;
            }

            /** The port, 0 to 65535 (0 picks a free one). */
            public Builder port(int number) {
                if (number < 0 || number > 65535) {
                    throw new IllegalArgumentException("port must be 0 to 65535, not " + number);
                }
                this.port = number;
                return this;
            }

            /**
             * The token every request must carry: at least {@value #MIN_TOKEN_LENGTH} characters
             * of URL-safe text (letters, digits, {@code -._~}); {@link StatusServer#newToken()}
             * makes one.
             */
            public Builder token(String secret) {
                requireNonNull(secret, "token");
                if (secret.length() < MIN_TOKEN_LENGTH) {
                    throw new IllegalArgumentException("the token must have at least " + MIN_TOKEN_LENGTH
                            + " characters (it has " + secret.length() + "); StatusServer.newToken() makes one");
                }
                if (!secret.chars()
                        .allMatch(c -> (c >= 'a' && c <= 'z')
                                || (c >= 'A' && c <= 'Z')
                                || (c >= '0' && c <= '9')
                                || c == '-'
                                || c == '.'
                                || c == '_'
                                || c == '~')) {
                    // The message leaves the token out: it is a secret even when malformed.
                    throw new IllegalArgumentException(
                            "the token may hold only letters, digits and -._~ (it goes into a URL and a header)");
                }
                this.token = secret;
                return this;
            }

            /** See {@link Options#maxRows()}; 1 to 10,000. */
            public Builder maxRows(int rows) {
                if (rows < 1 || rows > 10_000) {
                    throw new IllegalArgumentException("maxRows must be 1 to 10000, not " + rows);
                }
                this.maxRows = rows;
                return this;
            }

            /** See {@link Options#maxThroughputPoints()}; 2 to 100,000. */
            public Builder maxThroughputPoints(int points) {
                if (points < 2 || points > 100_000) {
                    throw new IllegalArgumentException("maxThroughputPoints must be 2 to 100000, not " + points);
                }
                this.maxThroughputPoints = points;
                return this;
            }

            /** See {@link Options#threads()}; 1 to 64. */
            public Builder threads(int count) {
                if (count < 1 || count > 64) {
                    throw new IllegalArgumentException("threads must be 1 to 64, not " + count);
                }
                this.threads = count;
                return this;
            }

            /** See {@link Options#minSnapshotInterval()}; zero to ten seconds. */
            public Builder minSnapshotInterval(Duration interval) {
                requireNonNull(interval, "interval");
                if (interval.isNegative() || interval.compareTo(Duration.ofSeconds(10)) > 0) {
                    throw new IllegalArgumentException("minSnapshotInterval must be 0 to 10 s, not " + interval);
                }
                this.minSnapshotInterval = interval;
                return this;
            }

            /** The options. */
            public Options build() {
                return new Options(this);
            }
        }
    }
}
