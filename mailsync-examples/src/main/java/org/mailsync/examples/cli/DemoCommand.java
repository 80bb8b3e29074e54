package org.mailsync.examples.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.examples.SampleMailbox;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code mailsync demo}: with no setup at all, starts two embedded IMAP servers (GreenMail) on free
 * loopback ports, fills the first with a sample mailbox, migrates it with the same code as {@code
 * mailsync migrate}, runs a second pass that must copy nothing, verifies, and prints the reports.
 *
 * <p>Not thread-safe; picocli fills one instance per command line.
 */
@Command(
        name = "demo",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync demo",
        description = {
            "no setup: migrate a sample mailbox between two embedded IMAP servers",
            "",
            "Starts two embedded IMAP servers on loopback ports, fills the old one with a sample",
            "mailbox, migrates it to the new one, runs a second (delta) pass and verifies."
        },
        descriptionHeading = "%n",
        optionListHeading = "%noptions:%n")
final class DemoCommand implements Mailsync.Subcommand {
    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "demo takes no arguments";
    }

    @Override
    public ExitCode call(Terminal t) throws InterruptedException {
        // GreenMail parses appended messages; with this off it keeps 8-bit header bytes as they
        // are (it reads the property once, when its first mail session is made).
        System.setProperty("mail.mime.allowutf8", "false");
        GreenMail oldServer = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        GreenMail newServer = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        Path work = null;
        try {
            oldServer.start();
            newServer.start();
            oldServer.setUser("anna.schaefer@alt.example", "anna", "alt-Passw0rt");
            newServer.setUser("anna.schaefer@neu.example", "anna", "neu-Passw0rt");
            work = Files.createTempDirectory("mailsync-demo");
            Path oldPassword = Files.writeString(work.resolve("old.pw"), "alt-Passw0rt\n");
            Path newPassword = Files.writeString(work.resolve("new.pw"), "neu-Passw0rt\n");
            StoreSpec source = StoreSpec.parse(
                    "imap://anna@127.0.0.1:" + oldServer.getImap().getPort());
            StoreSpec target = StoreSpec.parse(
                    "imap://anna@127.0.0.1:" + newServer.getImap().getPort());

            t.out().println("mailsync demo: filling the old server with a sample mailbox (a few seconds) ...");
            int messages;
            try (ImapStore store = ImapStore.builder()
                    .host("127.0.0.1")
                    .port(oldServer.getImap().getPort())
                    .security(Security.NONE)
                    .username("anna")
                    .password("alt-Passw0rt".toCharArray())
                    .readTimeout(Duration.ofSeconds(30))
                    .connect()) {
                messages = SampleMailbox.fill(store);
            }
            t.out()
                    .printf(
                            "mailsync demo: two IMAP servers on loopback; the old one holds %d messages of Anna Schäfer%n"
                                    + "  old server: %s%n  new server: %s%n%n",
                            messages, source.canonical(), target.canonical());

            // The defaults of migrate: no option changes them here.
            RunOptions.Plan plan = new RunOptions().plan(new MappingOptions(), 4, 64);
            StoreSpec.Credentials sc = new StoreSpec.Credentials(
                    StoreSpec.Credentials.kept(StoreSpec.readSecretFile(oldPassword, "source-password-file")),
                    null,
                    List.of(),
                    plan.connections());
            StoreSpec.Credentials tc = new StoreSpec.Credentials(
                    StoreSpec.Credentials.kept(StoreSpec.readSecretFile(newPassword, "target-password-file")),
                    null,
                    List.of(),
                    plan.connections());
            Path checkpoints = work.resolve("checkpoints");
            String command = "mailsync migrate " + source.canonical() + " " + target.canonical()
                    + " --source-password-file old.pw --target-password-file new.pw --checkpoints "
                    + checkpoints;

            t.out().println("1. First pass: $ " + command);
            MigrateCommand.Result first =
                    MigrateCommand.migrate(source, sc, target, tc, plan, checkpoints, t, "first pass ");
            if (first.report() == null) {
                t.err().println("mailsync demo: " + first.problem());
                return first.code();
            }
            t.out().println(first.report().toText());

            t.out().println("2. Second pass, the same command: only what changed since is copied (nothing)");
            MigrateCommand.Result second =
                    MigrateCommand.migrate(source, sc, target, tc, plan, checkpoints, t, "second pass");
            if (second.report() == null) {
                t.err().println("mailsync demo: " + second.problem());
                return second.code();
            }
            t.out().println(second.report().toText());

            t.out()
                    .println("3. Verify: $ mailsync verify " + source.canonical() + " " + target.canonical()
                            + " --source-password-file old.pw --target-password-file new.pw");
            ExitCode verified = VerifyCommand.verify(source, sc, target, tc, plan.folders(), MessageSelection.all(), t);

            ExitCode result = first.code().worse(second.code()).worse(verified);
            if (second.report().copied() != 0) {
                t.out()
                        .println("demo FAILED: the second pass copied "
                                + second.report().copied() + " messages");
                result = result.worse(ExitCode.PARTIAL);
            }
            t.out()
                    .printf(
                            "%ndemo %s: first pass copied %d messages (%.1f MB), second pass %d, verify %s%n",
                            result == ExitCode.OK ? "OK" : "FAILED",
                            first.report().copied(),
                            first.report().copiedBytes() / 1e6,
                            second.report().copied(),
                            verified == ExitCode.OK ? "clean" : "found differences");
            return result;
        } catch (MailStoreException e) {
            t.err().println("mailsync demo: " + e.getMessage());
            return ExitCode.of(e);
        } catch (IOException e) {
            t.err().println("mailsync demo: " + e.getMessage());
            return ExitCode.FAILURE;
        } finally {
            oldServer.stop();
            newServer.stop();
            if (work != null) {
                deleteTree(work);
            }
        }
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
            // A temp directory left behind holds only the demo's passwords and checkpoints.
        }
    }
}
