package org.mailsync.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One in-process run of {@code mailsync}: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
    static CliRun run(Path home, Map<String, String> env, String... args) throws InterruptedException {
        return run(home, env, null, args);
    }

    /** A run on a terminal that answers password prompts with {@code console}. */
    static CliRun run(Path home, Map<String, String> env, Terminal.@Nullable PasswordPrompt console, String... args)
            throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        Terminal terminal = new Terminal(o, e, env, console, false, home);
        int code = Mailsync.run(List.of(args), terminal);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
}
