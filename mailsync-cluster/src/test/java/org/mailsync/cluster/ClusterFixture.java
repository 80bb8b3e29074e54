package org.mailsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.DovecotServer;

/**
 * Mail servers, accounts and worker JVMs for the cluster's tests: GreenMail and Dovecot sources
 * filled with generated messages (each with a Message-ID of its own, the identity the checks
 * count by), a GreenMail target, and workers started as child processes on the test class path.
 */
final class ClusterFixture {
    static final String TARGET_PASSWORD = "target-pw-1";

    private ClusterFixture() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static GreenMail greenMail() throws IOException {
        GreenMail g = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        g.start();
        return g;
    }

    static String messageId(String user, int i) {
        return "<" + user + "." + i + "@cluster.test>";
    }

    static byte[] message(String user, int i) {
        return ("From: sender@example.net\r\nTo: " + user + "@example.org\r\nSubject: message " + i + " of " + user
                        + "\r\nMessage-ID: " + messageId(user, i)
                        + "\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody "
                        + i + " of " + user + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A GreenMail source account with {@code count} messages in INBOX; returns their Message-IDs. */
    static List<String> fillGreenMail(GreenMail g, String user, String password, int count) throws Exception {
        g.setUser(user + "@example.org", user, password);
        List<String> ids = new ArrayList<>();
        try (ImapStore store = ImapStore.builder()
                        .host("127.0.0.1")
                        .port(g.getImap().getPort())
                        .security(Security.NONE)
                        .username(user)
                        .password(password.toCharArray())
                        .connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<AppendRequest> requests = new ArrayList<>();
            List<RawMessage> raws = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                RawMessage raw = RawMessage.of(message(user, i));
                raws.add(raw);
                requests.add(new AppendRequest(raw, Flags.of(Flag.SEEN), Instant.parse("2026-11-02T10:00:00Z")));
                ids.add(messageId(user, i));
            }
            inbox.appendAll(requests);
            raws.forEach(RawMessage::close);
        }
        return ids;
    }

    /** A Dovecot source account with {@code count} messages written as Maildir files; returns their Message-IDs. */
    static List<String> fillDovecot(DovecotServer d, String user, String password, int count) throws IOException {
        Path home = d.addUser(user, password);
        Path maildir = home.resolve("Maildir");
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(maildir.resolve(sub));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Files.write(maildir.resolve("cur").resolve("1790000000." + i + ".cluster:2,S"), message(user, i));
            ids.add(messageId(user, i));
        }
        d.chownIfRoot(maildir);
        return ids;
    }

    /** The Message-IDs in a GreenMail account's INBOX, in order, duplicates kept. */
    static List<String> inboxIds(GreenMail g, String login) throws Exception {
        var user = g.getUserManager().getUser(login);
        assertThat(user).as("target user %s", login).isNotNull();
        var inbox = g.getManagers().getImapHostManager().getInbox(user);
        List<String> ids = new ArrayList<>();
        for (var m : inbox.getMessages()) {
            ids.add(m.getMimeMessage().getMessageID());
        }
        return ids;
    }

    /** A worker JVM running {@link WorkerProcess}, its output in {@code log}. */
    static Process startWorker(String url, Path keyFile, String name, int threads, long slowDelay, Path log)
            throws IOException {
        return startJvm(
                WorkerProcess.class,
                log,
                url,
                keyFile.toString(),
                name,
                String.valueOf(threads),
                String.valueOf(slowDelay));
    }

    /** A JVM on the test class path running {@code main}'s main method, its output in {@code log}. */
    static Process startJvm(Class<?> main, Path log, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    static void awaitReady(Path log, Process p) throws Exception {
        await(Duration.ofSeconds(60), "worker ready (log " + log + ")", () -> {
            assertThat(p.isAlive()).as("worker alive; log:%n%s", read(log)).isTrue();
            return read(log).contains("READY");
        });
    }

    static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Sends a signal (STOP, CONT) to a process. */
    static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Duration timeout, String what, Check check) throws Exception {
        await(timeout, what, check, () -> "");
    }

    interface Dump {
        String text() throws Exception;
    }

    /** Waits for {@code check}; on timeout the assertion message ends with {@code dump}'s text. */
    static void await(Duration timeout, String what, Check check, Dump dump) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n" + dump.text());
            }
            Thread.sleep(200);
        }
    }

    /** Rows of a query as maps of column to value, for assertions. */
    static List<Map<String, Object>> rows(DataSource db, String sql, Object... params) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof String[] array) {
                    p.setArray(i + 1, c.createArrayOf("text", array));
                } else {
                    p.setObject(i + 1, params[i]);
                }
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                        row.put(r.getMetaData().getColumnLabel(i), r.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }

    /** The account rows and executions, for a failure message. */
    static String dump(DataSource db) throws Exception {
        return "accounts:\n"
                + String.join(
                        "\n",
                        rows(
                                        db,
                                        "SELECT account_id, state, kind, worker, reason, messages_done, attempts,"
                                                + " run_epoch FROM cluster_accounts ORDER BY account_id")
                                .stream()
                                .map(Object::toString)
                                .toList())
                + "\nexecutions:\n"
                + String.join(
                        "\n",
                        rows(
                                        db,
                                        "SELECT task_instance, picked, picked_by, execution_time, priority,"
                                                + " consecutive_failures FROM scheduled_tasks ORDER BY task_instance")
                                .stream()
                                .map(Object::toString)
                                .toList())
                + "\nslots:\n"
                + String.join(
                        "\n",
                        rows(db, "SELECT * FROM cluster_host_slots ORDER BY slot").stream()
                                .map(Object::toString)
                                .toList());
    }
}
