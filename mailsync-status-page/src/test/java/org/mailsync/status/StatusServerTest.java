package org.mailsync.status;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.json.Json;

/**
 * The server's HTTP contract, request by request: who gets in, what a retry needs, what the JSON
 * holds. (The page itself is tested in Chromium by {@link StatusPageBrowserTest}.)
 */
class StatusServerTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<StatusServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(StatusServer::close);
    }

    @Test
    void refusesAnAddressOtherThanLoopbackWithoutAToken() throws IOException {
        StatusView view = new FixedView(emptySnapshot());
        for (String address : List.of("0.0.0.0", "192.0.2.2", "::")) {
            StatusServer.Options options = StatusServer.Options.builder()
                    .bindAddress(InetAddress.getByName(address))
                    .build();
            assertThatThrownBy(() -> new StatusServer(view, options))
                    .as(address)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a loopback address")
                    .hasMessageContaining("token");
        }
        // With a token it is allowed (not started: the test binds no public port).
        new StatusServer(
                view,
                StatusServer.Options.builder()
                        .bindAddress(InetAddress.getByName("0.0.0.0"))
                        .token(StatusServer.newToken())
                        .build());
    }

    @Test
    void loopbackWithoutATokenServesThePageItsFilesAndTheJson() throws Exception {
        StatusServer server = start(new FixedView(sampleSnapshot()), StatusServer.Options.loopback());
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        HttpResponse<String> page = get(server, "", Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).contains("default-src 'none'").contains("script-src 'self'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.body()).contains("<script src=\"status.js\"").doesNotContain("http://", "https://");
        assertThat(get(server, "status.js", Map.of()).statusCode()).isEqualTo(200);
        assertThat(get(server, "status.css", Map.of()).statusCode()).isEqualTo(200);
        assertThat(get(server, "nothing-here", Map.of()).statusCode()).isEqualTo(404);

        Map<String, Object> json = json(get(server, "api/status", Map.of()));
        assertThat(json.get("time")).isEqualTo(T0.toString());
        assertThat(json.get("states"))
                .isEqualTo(List.of(
                        Map.of("state", "QUEUED", "count", 3L),
                        Map.of("state", "RUNNING", "count", 1L),
                        Map.of("state", "DONE", "count", 5L),
                        Map.of("state", "FAILED", "count", 1L),
                        Map.of("state", "WAITING_FOR_LOGIN", "count", 2L)));
        assertThat(json.get("running"))
                .isEqualTo(List.of(Map.of(
                        "account", "alice@example.org",
                        "worker", "node-1/worker-3",
                        "messagesDone", 40L,
                        "messagesTotal", 100L,
                        "bytesDone", 4000L,
                        "bytesTotal", 10000L,
                        "started", T0.minusSeconds(30).toString())));
        assertThat(json.get("runningTotal")).isEqualTo(1L);
        assertThat(json.get("failures"))
                .isEqualTo(List.of(Map.of(
                        "account",
                        "bob@example.org",
                        "reason",
                        "LOGIN failed",
                        "attempts",
                        3L,
                        "time",
                        T0.minusSeconds(5).toString())));
        assertThat(json.get("throughput"))
                .isEqualTo(List.of(
                        Map.of("time", T0.minusSeconds(60).toString(), "messagesPerMinute", 120L),
                        Map.of("time", T0.toString(), "messagesPerMinute", 90.5)));
    }

    @Test
    void aTokenlessServerAnswersOnlyToLoopbackHostNames() throws Exception {
        StatusServer server = start(new FixedView(emptySnapshot()), StatusServer.Options.loopback());
        int port = server.address().getPort();
        // A page on evil.example whose name was rebound to 127.0.0.1 sends its own host name.
        assertThat(rawStatus(server, "GET /api/status HTTP/1.1\r\nHost: evil.example:" + port + "\r\n"))
                .isEqualTo(403);
        assertThat(rawStatus(server, "GET /api/status HTTP/1.1\r\nHost: evil.example\r\n"))
                .isEqualTo(403);
        assertThat(rawStatus(server, "GET /api/status HTTP/1.0\r\n"))
                .as("no Host at all")
                .isEqualTo(403);
        assertThat(rawStatus(server, "GET /api/status HTTP/1.1\r\nHost: localhost:" + port + "\r\n"))
                .isEqualTo(200);
        assertThat(rawStatus(server, "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"))
                .isEqualTo(200);
    }

    @Test
    void withATokenEveryRequestNeedsIt() throws Exception {
        String token = StatusServer.newToken();
        RecordingView view = new RecordingView();
        StatusServer server =
                start(view, StatusServer.Options.builder().token(token).build());
        assertThat(server.tokenRequired()).isTrue();
        for (String path : List.of("", "status.js", "status.css", "api/status", "nothing-here")) {
            HttpResponse<String> refused = get(server, path, Map.of());
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate"))
                    .as(path)
                    .isPresent();
            assertThat(get(server, path, Map.of("Authorization", "Bearer " + StatusServer.newToken()))
                            .statusCode())
                    .as("%s with a wrong token", path)
                    .isEqualTo(401);
            assertThat(get(server, path, Map.of("Authorization", "Bearer " + token))
                            .statusCode())
                    .as("%s with the token", path)
                    .isEqualTo(path.equals("nothing-here") ? 404 : 200);
        }
        assertThat(post(server, "account=bob", Map.of(StatusServer.CSRF_HEADER, "1"))
                        .statusCode())
                .isEqualTo(401);
        // The query token opens the page only, not the API.
        assertThat(get(server, "api/status?token=" + token, Map.of()).statusCode())
                .isEqualTo(401);
        assertThat(view.retried).isEmpty();
    }

    @Test
    void theTokenOnAPageLoadSetsAStrictHttpOnlySessionCookie() throws Exception {
        String token = StatusServer.newToken();
        StatusServer server = start(
                new FixedView(emptySnapshot()),
                StatusServer.Options.builder().token(token).build());
        HttpResponse<String> page = get(server, "?token=" + token, Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        String setCookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie)
                .startsWith("mailsync_status_" + server.address().getPort() + "=")
                .contains("HttpOnly")
                .contains("SameSite=Strict")
                .doesNotContain(token);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(get(server, "api/status", Map.of("Cookie", "other=1; " + cookie))
                        .statusCode())
                .isEqualTo(200);
        String forged = cookie.substring(0, cookie.indexOf('=') + 1) + StatusServer.newToken();
        assertThat(get(server, "api/status", Map.of("Cookie", forged)).statusCode())
                .isEqualTo(401);
        assertThat(get(server, "?token=" + token.substring(1), Map.of()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void retryIsPostOnlyAndOnlyFromThePageItself() throws Exception {
        String token = StatusServer.newToken();
        RecordingView view = new RecordingView();
        StatusServer server =
                start(view, StatusServer.Options.builder().token(token).build());
        String setCookie = get(server, "?token=" + token, Map.of())
                .headers()
                .firstValue("Set-Cookie")
                .orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String origin = "http://127.0.0.1:" + server.address().getPort();

        assertThat(get(server, "api/retry", Map.of("Cookie", cookie)).statusCode())
                .isEqualTo(405);
        // A cross-site form carries the cookie at most, never the page's header.
        assertThat(post(server, "account=bob", Map.of("Cookie", cookie)).statusCode())
                .isEqualTo(403);
        assertThat(post(
                                server,
                                "account=bob",
                                Map.of(
                                        "Cookie",
                                        cookie,
                                        StatusServer.CSRF_HEADER,
                                        "1",
                                        "Origin",
                                        "http://evil.example"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(post(
                                server,
                                "account=bob",
                                Map.of("Cookie", cookie, StatusServer.CSRF_HEADER, "1", "Sec-Fetch-Site", "cross-site"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(view.retried).isEmpty();

        HttpResponse<String> fromPage = post(
                server,
                "account=bob%40example.org",
                Map.of(
                        "Cookie",
                        cookie,
                        StatusServer.CSRF_HEADER,
                        "1",
                        "Origin",
                        origin,
                        "Sec-Fetch-Site",
                        "same-origin"));
        assertThat(fromPage.statusCode()).isEqualTo(200);
        assertThat(json(fromPage)).isEqualTo(Map.of("account", "bob@example.org", "requeued", true));
        // A client with the bearer token (a script, the CLI) needs no page header.
        HttpResponse<String> fromScript = post(server, "account=nobody", Map.of("Authorization", "Bearer " + token));
        assertThat(json(fromScript)).isEqualTo(Map.of("account", "nobody", "requeued", false));
        assertThat(view.retried).containsExactly("bob@example.org", "nobody");

        assertThat(post(server, "", Map.of("Authorization", "Bearer " + token)).statusCode())
                .isEqualTo(400);
        assertThat(post(server, "account=" + "x".repeat(9000), Map.of("Authorization", "Bearer " + token))
                        .statusCode())
                .isEqualTo(413);
    }

    @Test
    void aTokenlessServerStillRefusesACrossSiteRetry() throws Exception {
        RecordingView view = new RecordingView();
        StatusServer server = start(view, StatusServer.Options.loopback());
        // What a form on another site can send to 127.0.0.1: no page header.
        assertThat(post(server, "account=bob", Map.of("Origin", "http://evil.example"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(post(server, "account=bob", Map.of()).statusCode()).isEqualTo(403);
        assertThat(view.retried).isEmpty();
        assertThat(post(server, "account=bob", Map.of(StatusServer.CSRF_HEADER, "1"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(view.retried).containsExactly("bob");
    }

    @Test
    void everyStringIsEscapedInTheJsonAndReadsBackUnchanged() throws Exception {
        String account = "<img src=x onerror=alert(1)>@example.org";
        String reason =
                "</script><script>alert('x')</script> & \"quoted\" \\ \u2028 line\nnext \u0007 \ud83d\udce7 \ud800";
        StatusSnapshot snapshot = new StatusSnapshot(
                T0,
                Map.of("<b>STATE</b>", 1L),
                List.of(new RunningMailbox(account, "<i>worker</i>", 1, 2, 3, 4, T0)),
                List.of(),
                List.of(new AccountFailure(account, reason, 1, T0)));
        StatusServer server = start(new FixedView(snapshot), StatusServer.Options.loopback());
        HttpResponse<String> response = get(server, "api/status", Map.of());
        assertThat(response.body()).doesNotContain("<", ">", "&", "'", "\u2028", "\n");
        Map<String, Object> json = json(response);
        @SuppressWarnings("unchecked")
        Map<String, Object> failure = ((List<Map<String, Object>>) json.get("failures")).get(0);
        assertThat(failure.get("account")).isEqualTo(account);
        // The lone surrogate, which UTF-8 cannot carry, becomes the replacement character.
        assertThat(failure.get("reason")).isEqualTo(reason.replace("\ud800", "\ufffd"));
        assertThat(response.body()).contains("\\u003cscript\\u003e");
    }

    @Test
    void listsAreCappedWithCountsOfTheRest() throws Exception {
        List<RunningMailbox> running = new ArrayList<>();
        List<AccountFailure> failures = new ArrayList<>();
        List<ThroughputPoint> points = new ArrayList<>();
        Map<String, Long> states = new LinkedHashMap<>();
        for (int i = 0; i < 5000; i++) {
            running.add(new RunningMailbox("user" + i, "w", i, 10_000, i, 10_000, T0));
            failures.add(new AccountFailure("failed" + i, "r".repeat(10_000), 1, T0));
            states.put("STATE_" + i, 2L);
        }
        for (int i = 0; i < 100_000; i++) {
            points.add(new ThroughputPoint(T0.plusSeconds(i), i));
        }
        StatusSnapshot huge = new StatusSnapshot(T0, states, running, 120_000, points, failures, 250_000);
        StatusServer server = start(
                new FixedView(huge),
                StatusServer.Options.builder()
                        .maxRows(20)
                        .maxThroughputPoints(50)
                        .build());
        HttpResponse<String> response = get(server, "api/status", Map.of());
        assertThat(response.body().length()).isLessThan(64 * 1024);
        Map<String, Object> json = json(response);
        assertThat((List<?>) json.get("running")).hasSize(20);
        assertThat(json.get("runningTotal")).isEqualTo(120_000L);
        assertThat((List<?>) json.get("failures")).hasSize(20);
        assertThat(json.get("failuresTotal")).isEqualTo(250_000L);
        assertThat((List<?>) json.get("states")).hasSize(20);
        assertThat(json.get("otherStatesCount")).isEqualTo(2L * (5000 - 20));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shownPoints = (List<Map<String, Object>>) json.get("throughput");
        assertThat(shownPoints).hasSize(50);
        assertThat(shownPoints.get(49).get("time"))
                .as("the latest points are kept")
                .isEqualTo(T0.plusSeconds(99_999).toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> firstFailure = ((List<Map<String, Object>>) json.get("failures")).get(0);
        assertThat((String) firstFailure.get("reason")).hasSize(2001).endsWith("…");
    }

    @Test
    void aFailingViewGives503WithoutItsMessageAndTheServerCarriesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        StatusView flaky = new FixedView(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("cannot reach jdbc:postgresql://db.internal/mailsync as admin");
            }
            return emptySnapshot();
        });
        StatusServer server = start(
                flaky,
                StatusServer.Options.builder()
                        .minSnapshotInterval(Duration.ZERO)
                        .build());
        HttpResponse<String> failed = get(server, "api/status", Map.of());
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.body()).doesNotContain("postgresql", "admin");
        assertThat(get(server, "api/status", Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void theViewIsAskedOncePerIntervalHoweverManyPagesPollAndARetryRefreshesIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        StatusView counting = new FixedView(() -> {
            calls.incrementAndGet();
            return emptySnapshot();
        });
        StatusServer server = start(
                counting,
                StatusServer.Options.builder()
                        .minSnapshotInterval(Duration.ofSeconds(10))
                        .build());
        for (int i = 0; i < 20; i++) {
            assertThat(get(server, "api/status", Map.of()).statusCode()).isEqualTo(200);
        }
        assertThat(calls.get()).isEqualTo(1);
        post(server, "account=bob", Map.of(StatusServer.CSRF_HEADER, "1"));
        get(server, "api/status", Map.of());
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void theTokenStaysOutOfTextAndBadTokensAreRefused() {
        String token = StatusServer.newToken();
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        StatusServer.Options options =
                StatusServer.Options.builder().token(token).build();
        assertThat(options.toString()).doesNotContain(token).contains("token=set");
        assertThat(new StatusServer(new FixedView(emptySnapshot()), options).toString())
                .doesNotContain(token);
        assertThatThrownBy(() -> StatusServer.Options.builder().token("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("short");
        String withSpace = "a perfectly long but spaced token";
        assertThatThrownBy(() -> StatusServer.Options.builder().token(withSpace))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(withSpace);
    }

    @Test
    void startsOnceAndClosesIdempotently() throws Exception {
        StatusServer server = start(new FixedView(emptySnapshot()), StatusServer.Options.loopback());
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        server.close();
        server.close();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    // --- helpers -----------------------------------------------------------------------------

    private StatusServer start(StatusView view, StatusServer.Options options) throws IOException {
        StatusServer server = new StatusServer(view, options).start();
        servers.add(server);
        return server;
    }

    private HttpResponse<String> get(StatusServer server, String path, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(path));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(StatusServer server, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve("api/retry"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request written by hand: java.net.http will not send a Host header of our choosing. */
    private static int rawStatus(StatusServer server, String head) throws IOException {
        try (Socket socket =
                new Socket(server.address().getAddress(), server.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Connection: close\r\n\r\n").getBytes(UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), UTF_8);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        return new Json().toType(response.body(), Map.class);
    }

    private static StatusSnapshot emptySnapshot() {
        return new StatusSnapshot(T0, Map.of(), List.of(), List.of(), List.of());
    }

    private static StatusSnapshot sampleSnapshot() {
        Map<String, Long> states = new LinkedHashMap<>();
        states.put("QUEUED", 3L);
        states.put("RUNNING", 1L);
        states.put("DONE", 5L);
        states.put("FAILED", 1L);
        states.put("WAITING_FOR_LOGIN", 2L);
        return new StatusSnapshot(
                T0,
                states,
                List.of(new RunningMailbox(
                        "alice@example.org", "node-1/worker-3", 40, 100, 4000, 10_000, T0.minusSeconds(30))),
                List.of(new ThroughputPoint(T0.minusSeconds(60), 120), new ThroughputPoint(T0, 90.5)),
                List.of(new AccountFailure("bob@example.org", "LOGIN failed", 3, T0.minusSeconds(5))));
    }

    /** A view whose snapshot comes from a supplier; retry re-queues nothing. */
    private static final class FixedView implements StatusView {
        private final Supplier<StatusSnapshot> snapshot;

        FixedView(StatusSnapshot snapshot) {
            this(() -> snapshot);
        }

        FixedView(Supplier<StatusSnapshot> snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public StatusSnapshot snapshot() {
            return snapshot.get();
        }

        @Override
        public boolean retry(String account) {
            return false;
        }
    }

    /** Records retries; bob@example.org is the one failed account. */
    private static final class RecordingView implements StatusView {
        final List<String> retried = new CopyOnWriteArrayList<>();

        @Override
        public StatusSnapshot snapshot() {
            return emptySnapshot();
        }

        @Override
        public boolean retry(String account) {
            retried.add(account);
            return account.equals("bob@example.org");
        }
    }
}
