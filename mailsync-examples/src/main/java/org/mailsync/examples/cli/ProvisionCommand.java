package org.mailsync.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mailsync.examples.cli.BatchFile.Account;

/**
 * The administrator's command that creates an account on the new server before its migration
 * ({@code batch --provision-command}, issue 17 part 5), or, in check mode, only says whether it
 * could ({@code batch --preflight}): a password the new server's policy refuses is found before the
 * weekend.
 *
 * <p>The account reaches the command only through environment variables, never its command line
 * (which every user of the machine can read in {@code ps}): {@code MAILSYNC_PROVISION_MODE}
 * ({@code create} or {@code check}), {@code MAILSYNC_LINE}, {@code MAILSYNC_SOURCE_USER}, {@code
 * MAILSYNC_TARGET_USER}, {@code MAILSYNC_TARGET_PASSWORD}, {@code MAILSYNC_TARGET_HOST}, {@code
 * MAILSYNC_TARGET_PORT} and a {@code MAILSYNC_FIELD_<NAME>} for every extra column a header line
 * names. The rest of the environment is mailsync's own, less any {@code MAILSYNC_} variable of it.
 * The command is split into words (quotes keep a word whole) and run without a shell; a user who
 * wants one writes {@code sh -c '...'}. Its input is empty; its output is read, at most {@value
 * #KEPT} bytes of each stream kept; it is killed, with everything it started, after the timeout.
 *
 * <p>A non-zero exit refuses the account, with the first line the command wrote to its error
 * output (else to its output) as the reason: with every occurrence of the account's passwords
 * replaced by {@code ***}, since a command that echoes what it refused must not put the password
 * into the batch report.
 *
 * <p>Thread-safe: each run starts its own process.
 */
final class ProvisionCommand {
    /** Bytes of each of the command's streams kept for the reason; the rest is read and dropped. */
    static final int KEPT = 64 * 1024;

    /** Whether the command creates the account or only checks that it could. */
    enum Mode {
        CREATE,
        CHECK;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a run went: accepted, or refused with the reason (never holding a password). */
    record Result(boolean accepted, String reason) {}

    private final List<String> command;
    private final Duration timeout;
    private final Map<String, String> environment;

    /**
     * @param commandLine the command as the user wrote it, split here into words
     * @param environment the environment mailsync runs in (the command's starts from it)
     */
    ProvisionCommand(String commandLine, Duration timeout, Map<String, String> environment) {
        this.command = words(commandLine);
        if (command.isEmpty()) {
            throw new UsageException("--provision-command is empty");
        }
        this.timeout = timeout;
        this.environment = Map.copyOf(environment);
    }

    /**
     * A command line split into words at white space; {@code '...'} and {@code "..."} keep their
     * contents whole (no escapes inside single quotes; {@code \\"} and {@code \\\\} inside double
     * quotes), a backslash outside quotes keeps the next character. No variables, globs or pipes:
     * there is no shell.
     */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\'
                        && i + 1 < line.length()
                        && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new UsageException("--provision-command has an unclosed " + quote + " quote");
        }
        if (inWord) {
            out.add(word.toString());
        }
        return List.copyOf(out);
    }

    /** Runs the command for one account; never throws for what the command does. */
    Result run(Account account, Mode mode) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.clear();
        environment.forEach((k, v) -> {
            if (!k.startsWith("MAILSYNC_")) {
                env.put(k, v);
            }
        });
        env.putAll(variables(account, mode));
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            // Names the program the user typed, never an account's value.
            return new Result(false, "the provision command cannot be started: " + e.getMessage());
        }
        try {
            process.getOutputStream().close(); // no input: a command that asks for some gets end of file
        } catch (IOException e) {
            // Already gone: its exit code says what happened.
        }
        Drain out = Drain.start(process.getInputStream(), "out");
        Drain err = Drain.start(process.getErrorStream(), "err");
        boolean ended;
        try {
            ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!ended) {
            kill(process);
            return new Result(
                    false, "the provision command did not end within " + timeout.toSeconds() + " s (it was stopped)");
        }
        // A child it left running may hold its streams open: wait a little, not for ever.
        out.join(2_000);
        err.join(2_000);
        int exit = process.exitValue();
        if (exit == 0) {
            return new Result(true, "");
        }
        String line = firstLine(err.text());
        if (line.isEmpty()) {
            line = firstLine(out.text());
        }
        line = redact(line, account);
        return new Result(false, line.isEmpty() ? "the provision command ended with exit code " + exit : line);
    }

    /** The variables the command gets for one account. */
    static Map<String, String> variables(Account account, Mode mode) {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        vars.put("MAILSYNC_PROVISION_MODE", mode.value());
        vars.put("MAILSYNC_LINE", String.valueOf(account.line()));
        vars.put("MAILSYNC_SOURCE_USER", String.valueOf(account.source().user()));
        vars.put("MAILSYNC_TARGET_USER", String.valueOf(account.target().user()));
        vars.put("MAILSYNC_TARGET_PASSWORD", new String(account.targetPassword()));
        vars.put("MAILSYNC_TARGET_HOST", String.valueOf(account.target().host()));
        vars.put("MAILSYNC_TARGET_PORT", String.valueOf(account.target().port()));
        account.fields().forEach((name, value) -> vars.put("MAILSYNC_FIELD_" + name, value));
        return vars;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The first line with any text, control characters dropped, at most 300 characters. */
    static String firstLine(String text) {
        for (String line : text.split("\r\n|\n|\r")) {
            String clean = line.replaceAll("\\p{Cntrl}", "").strip();
            if (!clean.isEmpty()) {
                return clean.length() <= 300 ? clean : clean.substring(0, 299) + "…";
            }
        }
        return "";
    }

    /** The text with every occurrence of the account's passwords replaced by {@code ***}. */
    static String redact(String text, Account account) {
        String out = text;
        for (char[] secret : List.of(account.targetPassword(), account.sourcePassword())) {
            if (secret.length > 0) {
                out = out.replace(new String(secret), "***");
            }
        }
        return out;
    }

    /** Reads a stream to its end on a thread of its own, keeping its first {@link #KEPT} bytes. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();

        private Drain(InputStream in, String name) {
            super("mailsync-provision-" + name);
            this.in = in;
            setDaemon(true); // a grandchild holding the pipe never keeps the JVM alive
        }

        static Drain start(InputStream in, String name) {
            Drain d = new Drain(in, name);
            d.start();
            return d;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        int room = KEPT - kept.size();
                        if (room > 0) {
                            kept.write(buffer, 0, Math.min(room, n));
                        }
                    }
                }
            } catch (IOException e) {
                // The process is gone or was killed: what was read is what there is.
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
