package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.cluster.AccountJob;
import org.mailsync.cluster.ClusterQueue;
import org.mailsync.cluster.ClusterWorker;
import org.mailsync.cluster.ImapMailboxOpener;
import org.mailsync.cluster.JobState;
import org.mailsync.cluster.Mailbox;
import org.mailsync.cluster.spi.MailboxOpener;
import org.mailsync.jdbc.SecretOpener;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.status.StatusServer;
import org.mailsync.status.testing.Chromium;
import org.mailsync.status.testing.StatusPage;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * {@code mailsync cluster serve} end to end, with real parts only: a throwaway PostgreSQL, {@code
 * cluster init} and {@code cluster enqueue} through the CLI, GreenMail sources and target, a
 * {@link ClusterWorker} copying the accounts (two of them slowed down so that their progress can
 * be watched; one whose source refuses the CSV's password), and {@code cluster serve} run through
 * the CLI's entry point on this machine's non-loopback address with a token file, looked at in
 * headless Chromium: refused without the token; with it, the enqueued accounts, a progress bar that
 * grows, the failed account with its reason, and Retry re-queuing it in the database.
 */
class ClusterServeBrowserTest {
    /**
     * Three append batches of the default 100 (a pass reports its progress per batch), read at 15 ms
     * a message: seconds per slow account, its bar moving in steps.
     */
    private static final int SLOW_MESSAGES = 300;

    private static final long MILLIS_PER_MESSAGE = 15;

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ChromeDriver browser;

    @Test
    void theStatusPageOfARunningClusterMigrationInChromium() throws Exception {
        StringBuilder csv = new StringBuilder("source user,source password,target user,target password\n");
        for (String user : List.of("slowanna", "slowben", "mallory")) {
            // Mallory's source has another password than the CSV's: her login is refused.
            oldServer.setUser(
                    user + "@alt.example", user, user.equals("mallory") ? "changed-Old-Secret" : user + "-Old-Secret");
            newServer.setUser(user + "@neu.example", user, user + "-New-Secret");
            int messages = user.startsWith("slow") ? SLOW_MESSAGES : 3;
            for (int i = 0; i < messages; i++) {
                oldServer.getUserManager().getUser(user).deliver(mime(user, i));
            }
            csv.append(user).append(',').append(user).append("-Old-Secret,");
            csv.append(user).append(',').append(user).append("-New-Secret\n");
        }
        Path file = home.resolve("accounts.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        String source = "127.0.0.1:" + oldServer.getImap().getPort();
        String target = "127.0.0.1:" + newServer.getImap().getPort();
        String mallory = "mallory@" + source + " -> mallory@" + target;
        List<String> slow =
                List.of("slowanna@" + source + " -> slowanna@" + target, "slowben@" + source + " -> slowben@" + target);

        try (PostgresServer pg = PostgresServer.start()) {
            Map<String, String> env = Map.of();
            Path key = home.resolve("worker.key");
            CliRun init = CliRun.run(home, env, "cluster", "init", "--db", pg.url(), "--key", key.toString());
            assertThat(init.code()).as(init.toString()).isZero();
            CliRun enqueue = CliRun.run(
                    home,
                    env,
                    "cluster",
                    "enqueue",
                    file.toString(),
                    "--db",
                    pg.url(),
                    "--source",
                    "imap://" + source,
                    "--target",
                    "imap://" + target);
            assertThat(enqueue.code()).as(enqueue.toString()).isZero();

            InetAddress bind = nonLoopbackAddress();
            int port = freePort();
            // Not on loopback and no token file: refused before anything is served.
            CliRun open = CliRun.run(
                    home,
                    env,
                    "cluster",
                    "serve",
                    "--db",
                    pg.url(),
                    "--bind",
                    bind.getHostAddress(),
                    "--port",
                    "" + port);
            assertThat(open.code()).as(open.toString()).isEqualTo(ExitCode.USAGE.code);
            assertThat(open.err()).contains("needs --token-file");

            String token = StatusServer.newToken();
            Path tokenFile = home.resolve("status.token");
            Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
            Serve serve = new Serve(
                    home,
                    "cluster",
                    "serve",
                    "--db",
                    pg.url(),
                    "--bind",
                    bind.getHostAddress(),
                    "--port",
                    "" + port,
                    "--token-file",
                    tokenFile.toString());
            ClusterWorker worker = null;
            try {
                URI page = serve.awaitUri();
                assertThat(page.getPort()).isEqualTo(port);
                assertThat(serve.err()).doesNotContain(token);
                browser = Chromium.start(Files.createDirectory(home.resolve("chromium-profile")));

                // Without the token: refused, in plain HTTP and in the browser.
                for (String path : List.of("", "status.js", "api/status")) {
                    HttpResponse<String> response = http.send(
                            HttpRequest.newBuilder(page.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(path).isEqualTo(401);
                    assertThat(response.body()).doesNotContain("mallory");
                }
                HttpResponse<String> retry = http.send(
                        HttpRequest.newBuilder(page.resolve("api/retry"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("X-Mailsync-Csrf", "1")
                                .POST(HttpRequest.BodyPublishers.ofString("account=x"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(retry.statusCode()).isEqualTo(401);
                browser.get(page.toString());
                assertThat(browser.findElement(By.tagName("body")).getText()).contains("401");
                assertThat(browser.findElements(By.id("states"))).isEmpty();

                // With the token: the enqueued accounts, all queued before a worker runs.
                browser.get(page + "?token=" + token);
                waitFor("the first update", () -> text(By.id("updated")).startsWith("updated"));
                waitFor("three queued accounts", () -> Long.valueOf(3).equals(states().get("QUEUED")));

                ClusterQueue queue = new ClusterQueue(pg.dataSource());
                worker = ClusterWorker.builder()
                        .database(pg.dataSource())
                        .secrets(SecretOpener.fromKeyFile(key))
                        .opener(new SlowSources(ImapMailboxOpener.DEFAULT))
                        .threads(3)
                        .heartbeat(Duration.ofMillis(500), 4)
                        .pollingInterval(Duration.ofMillis(200))
                        .build();
                worker.start();

                // Both slow accounts running; one of them seen early, its bar read twice and grown.
                waitFor("both slow accounts running", () -> progress().keySet().containsAll(slow));
                String[] picked = new String[1];
                long[] first = new long[1];
                waitFor("a running mailbox with its messages listed, less than half copied", () -> {
                    for (Map.Entry<String, long[]> e : progress().entrySet()) {
                        if (e.getValue()[1] == SLOW_MESSAGES && e.getValue()[0] < SLOW_MESSAGES / 2) {
                            picked[0] = e.getKey();
                            first[0] = e.getValue()[0];
                            return true;
                        }
                    }
                    return false;
                });
                waitFor(picked[0] + "'s bar growing past " + first[0], () -> {
                    long[] now = progress().get(picked[0]);
                    assertThat(now).as("%s is still running", picked[0]).isNotNull();
                    return now[0] > first[0];
                });

                // The failed account, with the reason the worker stored.
                WebElement row = waitForFailureRow(mallory);
                AccountJob failed = queue.account(mallory).orElseThrow();
                assertThat(failed.state()).isEqualTo(JobState.FAILED);
                assertThat(failed.reason()).isNotBlank();
                assertThat(row.findElement(By.cssSelector("td.reason")).getText())
                        .isEqualTo(failed.reason())
                        .doesNotContain("Secret");

                // The operator fixes the password at the source and clicks Retry: the row is queued
                // again in the database, leaves the failures, and the account is copied.
                oldServer.getUserManager().getUser("mallory").setPassword("mallory-Old-Secret");
                row.findElement(By.cssSelector("button.retry")).click();
                waitFor("the re-queued notice", () -> text(By.id("notice")).equals(mallory + " re-queued"));
                assertThat(queue.account(mallory).orElseThrow().state())
                        .isIn(JobState.QUEUED, JobState.RUNNING, JobState.DONE);
                waitFor("mallory gone from the failures", () -> browser.findElements(failureRow(mallory))
                        .isEmpty());
                waitFor("every account done", () -> Long.valueOf(3).equals(states().get("DONE")));
                assertThat(queue.account(mallory).orElseThrow().state()).isEqualTo(JobState.DONE);
                assertThat(newServer
                                .getManagers()
                                .getImapHostManager()
                                .getInbox(newServer.getUserManager().getUser("mallory"))
                                .getMessageCount())
                        .isEqualTo(3);
                assertThat(text(By.cssSelector("#failures tbody"))).isEqualTo("no failures");
            } finally {
                if (browser != null) {
                    browser.quit();
                }
                if (worker != null) {
                    worker.close();
                }
                serve.stop();
            }
            // Stopped, the command has given its port back (it does not wait for the JVM's exit).
            assertThat(serve.exitCode()).as("interrupted, not ended on its own").isEqualTo(Serve.INTERRUPTED);
            assertThat(refused(bind, port))
                    .as("the port is closed after serve stops")
                    .isTrue();
        }
    }

    /** {@code mailsync cluster serve ...} on a thread of its own, through the CLI's entry point. */
    private static final class Serve {
        static final int INTERRUPTED = -2;
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final AtomicInteger code = new AtomicInteger(-1);
        private final Thread thread;

        Serve(Path home, String... args) {
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            Terminal terminal = new Terminal(o, e, Map.of(), null, false, home);
            thread = new Thread(
                    () -> {
                        try {
                            code.set(Mailsync.run(List.of(args), terminal));
                        } catch (InterruptedException interrupted) {
                            code.set(INTERRUPTED);
                        }
                    },
                    "mailsync-cluster-serve");
            thread.start();
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** The page's address, from the line the command prints once it listens. */
        URI awaitUri() {
            Pattern line = Pattern.compile("status page on (\\S+)");
            AtomicReference<URI> found = new AtomicReference<>();
            waitFor("serve to listen", () -> {
                assertThat(thread.isAlive()).as("serve is running: %s", err()).isTrue();
                Matcher m = line.matcher(err());
                if (m.find()) {
                    found.set(URI.create(m.group(1)));
                }
                return found.get() != null;
            });
            return found.get();
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            assertThat(thread.isAlive()).as("serve stopped when interrupted").isFalse();
        }

        int exitCode() {
            return code.get();
        }
    }

    /** Opens every source of a user whose name starts with "slow" one message per {@link #MILLIS_PER_MESSAGE}. */
    private static final class SlowSources implements MailboxOpener {
        private static final int CHUNK = 25;
        private final MailboxOpener delegate;

        SlowSources(MailboxOpener delegate) {
            this.delegate = delegate;
        }

        @Override
        public MailStore open(Mailbox mailbox, char[] password, int maxConnections, boolean target)
                throws MailStoreException {
            MailStore store = delegate.open(mailbox, password, maxConnections, target);
            if (target || !mailbox.user().startsWith("slow")) {
                return store;
            }
            return new ForwardingMailStore(store) {
                @Override
                public MailFolder openFolder(FolderPath path) throws MailStoreException {
                    return new ForwardingMailFolder(delegate().openFolder(path)) {
                        @Override
                        public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
                            pause();
                            return delegate().read(uid);
                        }

                        @Override
                        public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer)
                                throws MailStoreException {
                            // In chunks, one pause per message: the time is the pauses', not the
                            // round trips'.
                            for (int i = 0; i < uids.size(); i += CHUNK) {
                                List<MessageUid> chunk = uids.subList(i, Math.min(uids.size(), i + CHUNK));
                                for (int j = 0; j < chunk.size(); j++) {
                                    pause();
                                }
                                delegate().readAll(chunk, consumer);
                            }
                        }
                    };
                }
            };
        }

        private static void pause() {
            try {
                Thread.sleep(MILLIS_PER_MESSAGE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // --- page readers ------------------------------------------------------------------------

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

    private static boolean refused(InetAddress address, int port) {
        InetAddress connectTo = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(connectTo, port), 5000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            throw new AssertionError("connecting to the stopped page's port", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static jakarta.mail.internet.MimeMessage mime(String user, int i) throws Exception {
        jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage((jakarta.mail.Session) null);
        m.setFrom("x@example.net");
        m.setSubject("message " + i + " for " + user);
        m.setText("body " + i);
        m.saveChanges();
        return m;
    }

    /**
     * This machine's first non-loopback IPv4 address; the wildcard address when it has none (the
     * page is then reached through 127.0.0.1, and still needs the token).
     */
    private static InetAddress nonLoopbackAddress() throws IOException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    found.add(address);
                }
            }
        }
        return found.isEmpty() ? InetAddress.getByName("0.0.0.0") : found.get(0);
    }
}
