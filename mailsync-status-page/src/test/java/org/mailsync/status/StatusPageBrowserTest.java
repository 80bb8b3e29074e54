package org.mailsync.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.status.testing.Chromium;
import org.mailsync.status.testing.StatusPage;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The status page in a real Chromium, over a real migration running in this process (the sync
 * engine copying slowed-down in-memory accounts on two worker threads, one account failing its
 * first login with a hostile reason). The server binds to this machine's non-loopback address (or
 * the wildcard address when it has none) with a token, as an operator would expose it.
 *
 * <p>One browser, one server and one migration for the class; the tests run in the order a person
 * would look: refused without the token, in with it, the accounts, the progress, the failure, the
 * retry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageBrowserTest {
    private static final String MALLORY = "mallory@example.org";
    /** An account name that is markup: the page must show it as text. */
    private static final String CAROL = "<b>carol</b>@example.org";

    private static final List<String> ACCOUNTS =
            List.of(MALLORY, CAROL, "alice@example.org", "bob@example.org", "dave@example.org", "erin@example.org");
    private static final int MESSAGES = 100;

    private InProcessMigration migration;
    private StatusServer server;
    private ChromeDriver browser;
    private String token;
    private boolean migrationStarted;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        browser = Chromium.start(Files.createDirectory(temp.resolve("chromium-profile")));
        // 100 messages at 50 ms a read: 5 s or more per account, so a bar is seen moving.
        migration = new InProcessMigration(ACCOUNTS, List.of(MALLORY), MESSAGES, 50, 2, temp.resolve("state"));
        token = StatusServer.newToken();
        server = new StatusServer(
                        migration,
                        StatusServer.Options.builder()
                                .bindAddress(nonLoopbackAddress())
                                .token(token)
                                .build())
                .start();
    }

    /**
     * Starts the migration on the first test that watches it, so that a slow browser start or the
     * token checks do not eat the time an account spends running.
     */
    private synchronized void startMigration() {
        if (!migrationStarted) {
            migrationStarted = true;
            migration.start();
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (migration != null) {
            migration.close();
        }
    }

    @Test
    @Order(1)
    void withoutTheTokenEveryRequestIsRefused() throws Exception {
        assertThat(server.address().getAddress().isLoopbackAddress()).isFalse();
        for (String path : List.of("", "status.js", "api/status")) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.body()).doesNotContain(MALLORY);
        }
        HttpResponse<String> wrongToken = http.send(
                HttpRequest.newBuilder(server.uri().resolve("?token=" + StatusServer.newToken()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        HttpResponse<String> retry = http.send(
                HttpRequest.newBuilder(server.uri().resolve("api/retry"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Mailsync-Csrf", "1")
                        .POST(HttpRequest.BodyPublishers.ofString("account=" + MALLORY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(retry.statusCode()).isEqualTo(401);
        assertThat(migration.retried()).isEmpty();

        // And in the browser: no page, no data.
        browser.get(server.uri().toString());
        assertThat(browser.findElement(By.tagName("body")).getText())
                .contains("401")
                .contains("needs its token");
        assertThat(browser.findElements(By.id("states"))).isEmpty();
    }

    @Test
    @Order(2)
    void theTokenOnThePageLoadLetsChromiumIn() {
        browser.get(server.uri() + "?token=" + token);
        waitFor("the first update", () -> text(By.id("updated")).startsWith("updated"));
        assertThat(browser.getTitle()).isEqualTo("mailsync migration status");
        // The token leaves the address bar; the session rides on a cookie scripts cannot read.
        assertThat(browser.getCurrentUrl()).doesNotContain(token).doesNotContain("token=");
        Cookie cookie = browser.manage()
                .getCookieNamed("mailsync_status_" + server.address().getPort());
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getValue()).doesNotContain(token);
        assertThat(browser.executeScript("return document.cookie")).isEqualTo("");
        // A reload rides on the cookie alone.
        browser.navigate().refresh();
        waitFor("an update after a reload", () -> text(By.id("updated")).startsWith("updated"));
    }

    @Test
    @Order(3)
    void itShowsTheAccountsOfTheRunningMigration() {
        startMigration();
        // Carol's name is markup; she runs in the first wave and must appear as text.
        waitFor("carol among the running mailboxes", () -> runningAccounts().contains(CAROL));
        assertThat(browser.findElements(By.cssSelector("#running b"))).isEmpty();
        // What the page lists is what the migration runs (the view's running set, a moment apart).
        waitFor("the running rows to match the migration", () -> {
            Set<String> shown = runningAccounts();
            Set<String> running = new HashSet<>();
            migration.snapshot().running().forEach(r -> running.add(r.account()));
            return !shown.isEmpty() && shown.equals(running);
        });
        assertThat(ACCOUNTS).containsAll(runningAccounts());
        // The state cards add up to every account.
        waitFor(
                "state counts adding up to " + ACCOUNTS.size(),
                () -> states().values().stream().mapToLong(Long::longValue).sum() == ACCOUNTS.size());
        assertThat(states()).containsKeys("QUEUED", "RUNNING", "DONE", "FAILED");
    }

    @Test
    @Order(4)
    void aProgressBarMoves() {
        startMigration();
        // A running mailbox less than a quarter done: it runs on for three seconds or more.
        String[] picked = new String[1];
        long[] first = new long[1];
        waitFor("a running mailbox with its messages listed, less than a quarter copied", () -> {
            for (Map.Entry<String, long[]> e : progress().entrySet()) {
                long value = e.getValue()[0];
                long max = e.getValue()[1];
                if (max == MESSAGES && value < max / 4) {
                    picked[0] = e.getKey();
                    first[0] = value;
                    return true;
                }
            }
            return false;
        });
        // Read again until the bar has grown; failing if the row goes away first.
        waitFor(picked[0] + "'s bar growing past " + first[0], () -> {
            long[] now = progress().get(picked[0]);
            assertThat(now).as("%s is still running", picked[0]).isNotNull();
            assertThat(now[1]).isEqualTo(MESSAGES);
            return now[0] > first[0];
        });
        // The chart has a line once the sampler has two points.
        waitFor("a throughput line", () -> !browser.findElements(By.cssSelector("#chart polyline"))
                .isEmpty());
    }

    @Test
    @Order(5)
    void theFailedAccountShowsItsReasonAsText() throws IOException {
        startMigration();
        WebElement row = waitForFailureRow(MALLORY);
        String reason = row.findElement(By.cssSelector("td.reason")).getText();
        assertThat(reason).contains(InProcessMigration.FAILURE_REASON);
        assertThat(row.findElement(By.cssSelector("td.attempts")).getText()).isEqualTo("1");
        // The markup in the reason stayed text: nothing ran, no element was made of it.
        assertThat(browser.findElements(By.cssSelector("#failures script, #failures img")))
                .isEmpty();
        assertThat(browser.executeScript("return typeof window.__pwned")).isEqualTo("undefined");
        screenshot("status-page.png");
    }

    @Test
    @Order(6)
    void retryReQueuesTheAccountAndThePageShowsIt() throws Exception {
        startMigration();
        WebElement row = waitForFailureRow(MALLORY);
        row.findElement(By.cssSelector("button.retry")).click();
        waitFor("the re-queued notice", () -> text(By.id("notice")).equals(MALLORY + " re-queued"));
        assertThat(migration.retried()).containsExactly(MALLORY);
        waitFor("mallory gone from the failures", () -> browser.findElements(failureRow(MALLORY))
                .isEmpty());
        // Re-queued, it runs (its login works now) and the page shows it copying.
        waitFor("mallory running", () -> runningAccounts().contains(MALLORY));
        waitFor("every account done", () -> Long.valueOf(ACCOUNTS.size()).equals(states().get("DONE")));
        assertThat(migration.targetMessages(MALLORY)).isEqualTo(MESSAGES);
        assertThat(text(By.cssSelector("#failures tbody"))).isEqualTo("no failures");
        assertThat(browser.findElements(By.tagName("b"))).isEmpty();
        screenshot("status-page-done.png");
    }

    // --- page readers ------------------------------------------------------------------------

    private Set<String> runningAccounts() {
        return new HashSet<>(progress().keySet());
    }

    private Map<String, long[]> progress() {
        return StatusPage.progress(browser);
    }

    private Map<String, Long> states() {
        return StatusPage.states(browser);
    }

    private static By failureRow(String account) {
        return StatusPage.failureRow(account);
    }

    private WebElement waitForFailureRow(String account) {
        waitFor(account + " among the failures", () -> !browser.findElements(failureRow(account))
                .isEmpty());
        return browser.findElement(failureRow(account));
    }

    private String text(By by) {
        List<WebElement> found = browser.findElements(by);
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private void screenshot(String name) throws IOException {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
    }

    /** Polls {@code condition} (tolerating a row redrawn under the reader) for up to 30 s. */
    private static void waitFor(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return;
                }
                last = null;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after 30 s waiting for " + what, last);
    }

    /**
     * This machine's first non-loopback IPv4 address; the wildcard address when it has none (the
     * page is then reached through 127.0.0.1, and still needs the token).
     */
    private static InetAddress nonLoopbackAddress() throws SocketException, IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        return InetAddress.getByName("0.0.0.0");
    }
}
