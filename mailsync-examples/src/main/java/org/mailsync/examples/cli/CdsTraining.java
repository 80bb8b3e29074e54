package org.mailsync.examples.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mailsync.examples.SampleMailbox;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;

/**
 * The training run of the CLI's class-data sharing archive (issue 15): the build runs it once with
 * {@code -XX:DumpLoadedClassList}, dumps the classes it loaded into a static archive {@code
 * target/mailsync.jsa} ({@code -Xshare:dump}), and the {@code mailsync} launcher beside the jar
 * starts every run with that archive, so the classes of a pass are mapped, already parsed and
 * verified, instead of being read from the jar. It does what a user's runs do, through the
 * command line: the help, a first pass and a no-op pass between two embedded IMAP servers, a
 * verify, and a pass between Maildirs. Its output goes nowhere; it fails (exit 1) only if a pass
 * did not complete, which would leave the archive without the classes of a pass.
 *
 * <p>Not thread-safe; a program, run once.
 */
final class CdsTraining {
    private CdsTraining() {}

    /** Runs the training; the archive is written by the JVM when it exits. */
    public static void main(String[] args) throws Exception {
        // As in the demo: GreenMail keeps 8-bit header bytes as they are only with this off.
        System.setProperty("mail.mime.allowutf8", "false");
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Path work = Files.createTempDirectory("mailsync-cds");
        GreenMail from = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        GreenMail to = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        int worst = 0;
        try {
            from.start();
            to.start();
            from.setUser("anna@old.example", "anna", "training");
            to.setUser("anna@new.example", "anna", "training");
            try (ImapStore store = ImapStore.builder()
                    .host("127.0.0.1")
                    .port(from.getImap().getPort())
                    .security(Security.NONE)
                    .username("anna")
                    .password("training".toCharArray())
                    .readTimeout(Duration.ofSeconds(30))
                    .connect()) {
                SampleMailbox.fill(store);
            }
            Terminal t = new Terminal(nowhere, nowhere, Map.of("PW", "training"), null, false, work);
            String source = "imap://anna@127.0.0.1:" + from.getImap().getPort();
            String target = "imap://anna@127.0.0.1:" + to.getImap().getPort();
            List<String> passwords = List.of("--source-password-env", "PW", "--target-password-env", "PW");
            Mailsync.run(List.of("--help"), t);
            Mailsync.run(List.of("migrate", "--help"), t);
            for (int pass = 0; pass < 2; pass++) {
                worst = Math.max(worst, Mailsync.run(concat(List.of("migrate", source, target), passwords), t));
            }
            worst = Math.max(worst, Mailsync.run(concat(List.of("verify", source, target), passwords), t));
            String maildir = "maildir:" + work.resolve("maildir");
            worst = Math.max(
                    worst, Mailsync.run(concat(List.of("migrate", source, maildir), passwords.subList(0, 2)), t));
            String copy = "maildir:" + work.resolve("copy");
            for (int pass = 0; pass < 2; pass++) {
                worst = Math.max(worst, Mailsync.run(List.of("migrate", maildir, copy), t));
            }
        } finally {
            from.stop();
            to.stop();
            deleteTree(work);
        }
        if (worst != ExitCode.OK.code) {
            System.err.println("mailsync CDS training: a pass ended with exit " + worst);
            System.exit(1);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A temp directory left behind holds only sample mail and the training's checkpoints.
        }
    }
}
