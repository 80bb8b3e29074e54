package org.mailsync.examples.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a command may use of its surroundings: output streams, the environment, a way to prompt
 * for a password, whether output goes to a terminal, and the home directory for default state. A
 * seam, so that tests run the commands in-process.
 *
 * @param out where reports go
 * @param err where progress and errors go
 * @param env the environment variables
 * @param console a way to prompt for a password without echo, if there is a terminal
 * @param interactive whether {@code err} is a terminal (a progress bar, not log lines)
 * @param home where {@code .mailsync/} (default checkpoints) lives
 *     <p>Immutable.
 */
record Terminal(
        PrintStream out,
        PrintStream err,
        Map<String, String> env,
        @Nullable PasswordPrompt console,
        boolean interactive,
        Path home) {

    /** Asks for a password without echoing it. */
    @FunctionalInterface
    interface PasswordPrompt {
        char @Nullable [] readPassword(String prompt);
    }

    /** The process's own terminal. */
    static Terminal system() {
        java.io.Console console = System.console();
        return new Terminal(
                System.out,
                System.err,
                System.getenv(),
                console == null ? null : prompt -> console.readPassword("%s", prompt),
                console != null,
                Path.of(System.getProperty("user.home")));
    }

    Optional<PasswordPrompt> optionalConsole() {
        return Optional.ofNullable(console);
    }
}
