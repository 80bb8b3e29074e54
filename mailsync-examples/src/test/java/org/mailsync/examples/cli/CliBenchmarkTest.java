package org.mailsync.examples.cli;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * Figures for the command-line tool, printed, never asserted: migrate between Maildirs (the
 * engine and the disk), between two GreenMail servers (what the demo sees), the delta pass, verify,
 * and how close the rate limit holds its figure; and the no-op pass as a whole process between
 * two Dovecots, beside mbsync's (issue 15), which needs the packaged jar: {@code mvn -B -pl
 * mailsync-examples -am package -DskipTests} first, then {@code mvn -B -Pbenchmark -pl
 * mailsync-examples -am verify -Dtest=CliBenchmarkTest#noOpPassAsAWholeProcess
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class CliBenchmarkTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    private static void fill(MailStore store, FolderPath folder, int count) throws Exception {
        store.createFolder(folder);
        List<AppendRequest> batch = new ArrayList<>();
        try (MailFolder f = store.openFolder(folder)) {
            for (int i = 0; i < count; i++) {
                byte[] bytes = i % 20 == 0
                        ? TestMessages.withAttachment(100_000, i)
                        : TestMessages.simple("Nachricht " + i, "Text ".repeat(200 + i % 800));
                batch.add(new AppendRequest(RawMessage.of(bytes), Flags.of(Flag.SEEN), Instant.EPOCH.plusSeconds(i)));
                if (batch.size() == 100 || i == count - 1) {
                    f.appendAll(batch);
                    batch.forEach(r -> r.message().close());
                    batch.clear();
                }
            }
        }
    }

    private CliRun timed(String what, int messages, String... args) throws Exception {
        long start = System.nanoTime();
        CliRun run = CliRun.run(home, Map.of("PW", "pw"), args);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-45s exit %d  %6.2f s  %8.0f msg/s%n", what, run.code(), seconds, messages / seconds);
        return run;
    }

    /**
     * The no-op pass of {@code migrate} as a user runs it, a whole process each time (JVM start
     * included), on an account of {@code mailsync.bench.noop.messages} (20,000) messages in ten
     * folders between two Dovecots, after one full copy: through the launcher {@code
     * target/mailsync} (class-data sharing), as plain {@code java -jar}, and mbsync's no-op on
     * the same account, interleaved, {@code mailsync.bench.noop.runs} (10) times each; medians.
     * Beside them what the pass is made of: a JVM that only starts, {@code mailsync migrate
     * --help} (the JVM with the command line), and the engine's own time from the report. With
     * {@code -Dmailsync.bench.noop.compareJar=/path/to/an/older/mailsync.jar} that jar's no-op
     * ({@code java -jar}) is timed in the same run too, for a before/after.
     */
    @Test
    void noOpPassAsAWholeProcess() throws Exception {
        int messages = Integer.getInteger("mailsync.bench.noop.messages", 20_000);
        int runs = Integer.getInteger("mailsync.bench.noop.runs", 10);
        Path target = Path.of("target").toAbsolutePath();
        Path launcher = target.resolve("mailsync");
        Path jar = target.resolve("mailsync.jar");
        if (!Files.isExecutable(launcher) || !Files.exists(jar) || !Files.exists(target.resolve("mailsync.jsa"))) {
            throw new AssertionError("no " + launcher + ", mailsync.jar and mailsync.jsa: run"
                    + " mvn -B -pl mailsync-examples -am package -DskipTests first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (DovecotServer source = DovecotServer.start(DovecotServer.Options.defaults());
                DovecotServer dest = DovecotServer.start(DovecotServer.Options.defaults())) {
            Thread.sleep(1100); // past the second in which Dovecot read its (empty) users file
            source.addUser("bench", "pw-bench");
            dest.addUser("bench", "pw-bench");
            dest.addUser("mbsync", "pw-mbsync");
            NoOpCorpus.write(source.home("bench").resolve("Maildir"), messages);
            source.chownIfRoot(source.home("bench"));
            Path checkpoints = home.resolve("checkpoints");
            List<String> migrate = List.of(
                    "migrate",
                    "imap://bench@127.0.0.1:" + source.port(),
                    "imap://bench@127.0.0.1:" + dest.port(),
                    "--source-password-env",
                    "PW",
                    "--target-password-env",
                    "PW",
                    "--checkpoints",
                    checkpoints.toString());
            // The account lock lives under user.home: this run's own.
            String userHome = "-Duser.home=" + home;
            List<String> viaLauncher = concat(List.of(launcher.toString()), migrate);
            List<String> plainJava = concat(List.of(java, userHome, "-jar", jar.toString()), migrate);
            String compareJar = System.getProperty("mailsync.bench.noop.compareJar", "");
            List<String> olderJava = concat(List.of(java, userHome, "-jar", compareJar), migrate);
            Path mbsyncrc = NoOpCorpus.mbsyncConfig(home, source.port(), dest.port());
            List<String> mbsync = List.of("mbsync", "-q", "-c", mbsyncrc.toString(), "bench");

            System.out.printf(
                    "no-op pass: %d messages in %d folders, two Dovecots on loopback%n",
                    messages, NoOpCorpus.FOLDERS.size());
            double full = Whole.run(viaLauncher, userHome).seconds();
            System.out.printf("%-52s %6.2f s%n", "mailsync full copy (launcher)", full);
            System.out.printf(
                    "%-52s %6.2f s%n",
                    "mbsync full copy", Whole.run(mbsync, userHome).seconds());

            List<Double> withCds = new ArrayList<>();
            List<Double> withoutCds = new ArrayList<>();
            List<Double> mbsyncs = new ArrayList<>();
            List<Double> engine = new ArrayList<>();
            List<Double> jvm = new ArrayList<>();
            List<Double> help = new ArrayList<>();
            List<Double> older = new ArrayList<>();
            List<Double> withCdsCpu = new ArrayList<>();
            List<Double> withoutCdsCpu = new ArrayList<>();
            List<Double> mbsyncCpu = new ArrayList<>();
            List<Double> helpCpu = new ArrayList<>();
            List<Double> olderCpu = new ArrayList<>();
            List<String> helpArgs = List.of(launcher.toString(), "migrate", "--help");
            for (int i = 0; i < runs; i++) {
                Whole.Run run = Whole.run(viaLauncher, userHome);
                if (!run.out().contains("verdict: COMPLETE (0 copied")) {
                    throw new AssertionError("not a no-op pass:\n" + run.out());
                }
                withCds.add(run.seconds());
                withCdsCpu.add(run.cpuSeconds());
                engine.add(run.engineSeconds());
                Whole.Run plain = Whole.run(plainJava, userHome);
                withoutCds.add(plain.seconds());
                withoutCdsCpu.add(plain.cpuSeconds());
                Whole.Run mb = Whole.run(mbsync, userHome);
                mbsyncs.add(mb.seconds());
                mbsyncCpu.add(mb.cpuSeconds());
                jvm.add(Whole.run(List.of(java, "-version"), userHome).seconds());
                Whole.Run h = Whole.run(helpArgs, userHome);
                help.add(h.seconds());
                helpCpu.add(h.cpuSeconds());
                if (!compareJar.isEmpty()) {
                    Whole.Run o = Whole.run(olderJava, userHome);
                    older.add(o.seconds());
                    olderCpu.add(o.cpuSeconds());
                }
            }
            System.out.printf("medians of %d runs, interleaved: wall time, and CPU time (all threads)%n", runs);
            String row = "%-52s %6.3f s  cpu %6.3f s%n";
            System.out.printf(row, "mailsync no-op, launcher (CDS, C1)", median(withCds), median(withCdsCpu));
            System.out.printf(row, "mailsync no-op, java -jar", median(withoutCds), median(withoutCdsCpu));
            if (!older.isEmpty()) {
                System.out.printf(row, "the older jar's no-op, java -jar", median(older), median(olderCpu));
            }
            System.out.printf(row, "mbsync no-op", median(mbsyncs), median(mbsyncCpu));
            System.out.printf("%-52s %6.3f s%n", "  a JVM that only starts (java -version)", median(jvm));
            System.out.printf(row, "  launcher: mailsync migrate --help", median(help), median(helpCpu));
            System.out.printf("%-52s %6.3f s%n", "  the engine's pass in the launcher's run (report)", median(engine));
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A whole process, timed from start to exit; its output read as it ran. */
    private static final class Whole {
        record Run(double seconds, double cpuSeconds, String out) {
            /** The engine's time as the report's verdict line gives it ("..., 0.4 s)"). */
            double engineSeconds() {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                                "([0-9.]+) s\\)\\s*$", java.util.regex.Pattern.MULTILINE)
                        .matcher(out);
                return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
            }
        }

        /** The last line of POSIX {@code times}: the children's user and system time, "0m0.420s 0m0.050s". */
        private static final java.util.regex.Pattern TIMES =
                java.util.regex.Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s\\s*$");

        static Run run(List<String> command, String userHome) throws Exception {
            // Through sh, whose "times" then tells the CPU time of the command (all its threads):
            // a figure the load of a shared machine moves much less than the wall time.
            List<String> viaShell = new ArrayList<>(List.of("sh", "-c", "\"$@\"; s=$?; times; exit $s", "sh"));
            viaShell.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(viaShell).redirectErrorStream(true);
            pb.environment().put("PW", "pw-bench");
            // -Dmailsync.bench.noop.javaOpts adds JVM options to the launcher's runs, for trying flags.
            pb.environment()
                    .put(
                            "MAILSYNC_JAVA_OPTS",
                            (userHome + " " + System.getProperty("mailsync.bench.noop.javaOpts", "")).trim());
            long start = System.nanoTime();
            java.lang.Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int code = p.waitFor();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (code != 0) {
                throw new AssertionError(command.get(0) + " exited with " + code + ":\n" + out);
            }
            java.util.regex.Matcher m = TIMES.matcher(out);
            double cpu = m.find()
                    ? Integer.parseInt(m.group(1)) * 60
                            + Double.parseDouble(m.group(2))
                            + Integer.parseInt(m.group(3)) * 60
                            + Double.parseDouble(m.group(4))
                    : Double.NaN;
            return new Run(seconds, cpu, out);
        }
    }

    @Test
    void maildirToMaildir() throws Exception {
        int n = 5000;
        Path source = home.resolve("source");
        try (MaildirStore store =
                MaildirStore.builder().root(source).fsync(false).build()) {
            fill(store, FolderPath.INBOX, n / 2);
            fill(store, FolderPath.of("Archiv"), n / 2);
        }
        String from = "maildir:" + source;
        String to = "maildir:" + home.resolve("target");
        timed("maildir -> maildir, first pass, " + n + " msgs", n, "migrate", from, to);
        timed("maildir -> maildir, delta pass", n, "migrate", from, to);
        timed("verify maildir vs maildir", n, "verify", from, to);
    }

    @Test
    void greenMailToGreenMailAndTheRateLimit() throws Exception {
        int n = 300;
        oldServer.setUser("a@x", "anna", "pw");
        newServer.setUser("a@y", "anna", "pw");
        try (ImapStore store = ImapStore.builder()
                .host("127.0.0.1")
                .port(oldServer.getImap().getPort())
                .security(Security.NONE)
                .username("anna")
                .password("pw".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect()) {
            long start = System.nanoTime();
            fill(store, FolderPath.of("Archiv"), n);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "%-45s          %6.2f s  %8.0f msg/s%n", "fill GreenMail through ImapStore", seconds, n / seconds);
        }
        String from = "imap://anna@127.0.0.1:" + oldServer.getImap().getPort();
        String to = "imap://anna@127.0.0.1:" + newServer.getImap().getPort();
        timed(
                "greenmail -> greenmail, first pass, " + n + " msgs",
                n,
                "migrate",
                from,
                to,
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW");
        timed(
                "greenmail -> greenmail, delta pass",
                n,
                "migrate",
                from,
                to,
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW");
        timed(
                "verify greenmail vs greenmail",
                n,
                "verify",
                from,
                to,
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW");
        Path maildir = home.resolve("limited");
        timed(
                "greenmail -> maildir at --max-messages-per-second 100",
                n,
                "migrate",
                from,
                "maildir:" + maildir,
                "--source-password-env",
                "PW",
                "--max-messages-per-second",
                "100");
        Files.createDirectories(maildir);
    }
}
