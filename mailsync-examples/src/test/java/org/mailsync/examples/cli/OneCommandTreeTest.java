package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 15: a run of one of our commands has picocli read that command's options only, not every
 * command's; what the user sees of it (its help, its errors) is what the whole tree shows.
 */
class OneCommandTreeTest {
    private static final List<String> OURS = List.of("migrate", "batch", "cluster", "worker", "verify", "demo");

    @TempDir
    Path home;

    private Terminal terminal() {
        PrintStream nowhere = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Terminal(nowhere, nowhere, Map.of(), null, false, home);
    }

    @Test
    void aCommandOfOursGetsATreeOfItselfAndShowsTheSameHelpAsTheWholeTree() {
        CommandLine whole = Mailsync.commandLine(terminal());
        assertThat(whole.getSubcommands().keySet())
                .containsExactly(
                        "migrate", "batch", "cluster", "worker", "verify", "demo", "help", "generate-completion");
        for (String name : OURS) {
            CommandLine one = Mailsync.commandLine(terminal(), name);
            assertThat(one.getSubcommands().keySet()).containsExactly(name);
            assertThat(one.getSubcommands().get(name).getUsageMessage())
                    .isEqualTo(whole.getSubcommands().get(name).getUsageMessage());
        }
    }

    @Test
    void anythingElseGetsTheWholeTree() {
        for (String first : List.of("help", "generate-completion", "--help", "frobnicate", "MIGRATE")) {
            assertThat(Mailsync.commandLine(terminal(), first).getSubcommands())
                    .as(first)
                    .hasSize(8);
        }
        assertThat(Mailsync.commandLine(terminal(), "help").getUsageMessage())
                .isEqualTo(Mailsync.commandLine(terminal()).getUsageMessage())
                .contains("exit codes:");
    }

    @Test
    void usageErrorsOfAOneCommandRunReadAsBefore() throws Exception {
        CliRun run = CliRun.run(home, Map.of(), "migrate", "maildir:" + home.resolve("s"));
        assertThat(run.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.err()).contains("migrate needs SOURCE and TARGET").contains("usage: mailsync migrate");
        CliRun help = CliRun.run(home, Map.of(), "migrate", "--help");
        assertThat(help.code()).isEqualTo(ExitCode.OK.code);
        assertThat(help.out()).contains("--checkpoints");
    }
}
