package org.mailsync.examples.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code mailsync} command-line tool: {@code java -jar mailsync.jar COMMAND ...}, on picocli.
 * {@code mailsync --help} lists the commands and the exit codes; {@code mailsync COMMAND --help}
 * a command's options; {@code @FILE} reads arguments from a file; {@code mailsync
 * generate-completion} prints a bash/zsh completion script.
 *
 * <p>Usage errors are exit 2 with a message of ours on stderr, never picocli's: its messages
 * repeat the values given, and a value in the wrong place may be a password.
 *
 * <p>Thread-safe (stateless; every run builds its own command objects).
 */
@Command(
        name = "mailsync",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync COMMAND [ARGS] [OPTIONS]   (mailsync COMMAND --help for its options)",
        commandListHeading = "%ncommands:%n",
        footerHeading = "%n",
        footer = {
            "stores: imap://user@host[:port], imaps://user@host[:port], imap+starttls://user@host[:port],",
            "        maildir:/path, mbox:/path (an mbox file, a directory of them, or a Thunderbird folder)",
            "        eml:/path (a tree of folders of .eml files)",
            "        a login that is an e-mail address: imaps://anna@example.com@host",
            "        or imaps://anna%%40example.com@host",
            "arguments: @FILE reads more arguments from FILE, one or more a line ('quote' those with spaces)",
            "completion: source <(mailsync generate-completion) in bash or zsh, mailsync being on the PATH",
            "",
            "exit codes:"
        })
public final class Mailsync {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help")
    boolean help;

    private Mailsync() {}

    /** Runs a command and exits the JVM with its exit code. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(Arrays.asList(args), Terminal.system()));
    }

    /** Runs a command; returns its exit code. */
    static int run(List<String> args, Terminal t) throws InterruptedException {
        return run(args, t, Mailsync::dispatch);
    }

    /** One command, given its arguments (a seam for tests of the exit-code mapping). */
    interface Dispatch {
        ExitCode run(List<String> args, Terminal t) throws InterruptedException;
    }

    /** A command of {@code mailsync}: picocli fills its options, then it runs. */
    interface Subcommand {
        ExitCode call(Terminal t) throws InterruptedException;

        /** What is said when its arguments are missing or too many, e.g. "migrate needs SOURCE and TARGET". */
        String wrongArguments();
    }

    /** The {@code -h}/{@code --help} option of every command, declared once. */
    static final class HelpOption {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "show this help")
        boolean help;
    }

    /** Runs {@code commands} on {@code args} and maps what it throws to an exit code. */
    static int run(List<String> args, Terminal t, Dispatch commands) throws InterruptedException {
        try {
            if (args.isEmpty()) {
                t.out().print(commandLine(t).getUsageMessage());
                return ExitCode.USAGE.code;
            }
            ExitCode code = commands.run(args, t);
            return code.code;
        } catch (UsageException e) {
            // Only what the command line got wrong: the commands turn a builder's refusal of a
            // value the user typed into a UsageException where they pass that value on.
            t.err().println("mailsync: " + e.getMessage());
            return ExitCode.USAGE.code;
        } catch (IllegalArgumentException e) {
            // From deep inside (a protocol value a server sent, or a bug): not the user's typing,
            // so not "usage"; the message says what it was.
            t.err().println("mailsync: failed: " + e.getMessage());
            return ExitCode.FAILURE.code;
        } catch (RuntimeException e) {
            // A bug, not the user's doing: show it whole, and exit with a code of our own (the
            // JVM's 1 for an uncaught exception would read as "partial success").
            t.err().println("mailsync: internal error, please report it:");
            e.printStackTrace(t.err());
            return ExitCode.FAILURE.code;
        }
    }

    /**
     * The commands, by name, in the order the help lists them; each made only when its command
     * line is (picocli reads every option of a command when it is added).
     */
    private static final class Commands {
        // In a holder: its method references resolve picocli's classes, which a plain migrate
        // (MigrateFastPath) never loads.
        static final Map<String, Supplier<Object>> ALL = commands();
    }

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("migrate", MigrateCommand::new);
        commands.put("batch", BatchCommand::new);
        commands.put("cluster", ClusterCommand::new);
        commands.put("worker", WorkerCommand::new);
        commands.put("verify", VerifyCommand::new);
        commands.put("demo", DemoCommand::new);
        commands.put("help", HelpCommand::new);
        commands.put("generate-completion", AutoComplete.GenerateCompletion::new);
        return Collections.unmodifiableMap(commands);
    }

    /** The whole command tree, printing to {@code t}, with the usage settings of every command. */
    static CommandLine commandLine(Terminal t) {
        return commandLine(t, null);
    }

    /**
     * The command tree for a command line whose first word is {@code only}: with just that
     * command when it is one of ours (migrate, batch, cluster, worker, verify, demo), so that a run reads the
     * options of its own command only and starts sooner (issue 15: most of a no-op pass was
     * picocli reading the options of every command); the whole tree otherwise.
     */
    static CommandLine commandLine(Terminal t, @Nullable String only) {
        CommandLine cl = new CommandLine(new Mailsync());
        boolean one = only != null
                && Commands.ALL.containsKey(only)
                && !only.equals("help")
                && !only.equals("generate-completion");
        for (Map.Entry<String, Supplier<Object>> command : Commands.ALL.entrySet()) {
            if (!one || command.getKey().equals(only)) {
                cl.addSubcommand(command.getKey(), command.getValue().get());
            }
        }
        // Settings are given to the commands added so far: so all of them come first.
        cl.setOut(writer(t.out()));
        cl.setErr(writer(t.err()));
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(
                t.interactive() ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF));
        cl.setUsageHelpWidth(110);
        cl.setUsageHelpLongOptionsMaxWidth(34);
        if (one) {
            // Its own usage and errors only: the top-level help, with its commands and exit codes, is never shown.
            return cl;
        }
        // The exit codes end the footer, from ExitCode itself; picocli formats footers with
        // String.format, so a % of ours is doubled.
        StringBuilder codes = new StringBuilder();
        for (ExitCode code : ExitCode.values()) {
            codes.append(String.format("  %d  %s%n", code.code, code.meaning).replace("%", "%%"));
        }
        // picocli's own commands, described in the words of ours
        java.util.Objects.requireNonNull(cl.getSubcommands().get("help"))
                .getCommandSpec()
                .usageMessage()
                .header("show the help of a command: mailsync help migrate")
                .description();
        java.util.Objects.requireNonNull(cl.getSubcommands().get("generate-completion"))
                .getCommandSpec()
                .usageMessage()
                .header("print a bash/zsh completion script: source <(mailsync generate-completion)")
                .description(
                        "Prints a bash/zsh completion script for mailsync:",
                        "  source <(mailsync generate-completion)",
                        "(mailsync must be a command on the PATH or an alias of java -jar mailsync.jar)");
        var usage = cl.getCommandSpec().usageMessage();
        String[] footer = Arrays.copyOf(usage.footer(), usage.footer().length + 1);
        footer[footer.length - 1] = codes.toString().stripTrailing();
        usage.footer(footer);
        return cl;
    }

    private static ExitCode dispatch(List<String> args, Terminal t) throws InterruptedException {
        // A plain migrate line without picocli (issue 15); anything else it leaves to picocli.
        MigrateCommand plain = MigrateFastPath.parse(args);
        if (plain != null) {
            try {
                return plain.call(t);
            } finally {
                t.out().flush();
                t.err().flush();
            }
        }
        return dispatchByPicocli(args, t);
    }

    /** What {@link #dispatch} does with a line that is not a plain migrate, and tests with any line. */
    static ExitCode dispatchByPicocli(List<String> args, Terminal t) throws InterruptedException {
        CommandLine cl = commandLine(t, args.get(0));
        try {
            ParseResult parsed;
            try {
                parsed = cl.parseArgs(args.toArray(String[]::new));
            } catch (ParameterException e) {
                throw new UsageException(message(e));
            }
            List<CommandLine> chain = parsed.asCommandLineList();
            CommandLine last = chain.get(chain.size() - 1);
            try {
                if (CommandLine.executeHelpRequest(parsed) != null) {
                    return ExitCode.OK;
                }
            } catch (ParameterException e) {
                // "mailsync help frobnicate": the help command checks its argument only when run.
                String word = last.getParseResult().matchedPositionalValue(0, "");
                throw new UsageException("unknown command " + word + "\n\n" + cl.getUsageMessage());
            }
            Object command = last.getCommand();
            if (command instanceof Subcommand s) {
                return s.call(t);
            }
            throw new UsageException("no command given\n\n" + cl.getUsageMessage());
        } finally {
            cl.getOut().flush();
            cl.getErr().flush();
        }
    }

    /**
     * What the user got wrong, in our words: never picocli's message, which repeats the value
     * (a password typed where a file name belongs, a URI with a password, a CSV field).
     */
    static String message(ParameterException e) {
        CommandLine where = e.getCommandLine();
        @Nullable ArgSpec arg = e.getArgSpec();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof OptionTypes.OptionValueException v) {
                String text = String.valueOf(v.getMessage());
                return name(arg) + (text.startsWith(":") ? "" : " ") + text;
            }
            if (c instanceof UsageException u) {
                return String.valueOf(u.getMessage());
            }
        }
        if (e instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            if (where.getCommand() instanceof Mailsync) {
                return "unknown command " + first + "\n\n" + where.getUsageMessage();
            }
            for (String a : unmatched) {
                if (a.startsWith("-") && a.length() > 1) {
                    return unknownOption(a);
                }
            }
            return wrongArguments(where);
        }
        if (e instanceof MissingParameterException m) {
            List<ArgSpec> missing = m.getMissing();
            if (!missing.isEmpty() && missing.get(0).isOption()) {
                return name(missing.get(0)) + " needs a value";
            }
            return wrongArguments(where);
        }
        if (e instanceof OverwrittenOptionException o) {
            return name(o.getOverwritten()) + " was given twice";
        }
        if (arg instanceof OptionSpec option && option.arity().max() == 0) {
            return name(arg) + " takes no value";
        }
        if (arg instanceof PositionalParamSpec) {
            return wrongArguments(where);
        }
        if (arg != null) {
            return "invalid value for " + name(arg);
        }
        String text = String.valueOf(e.getMessage());
        if (text.startsWith("Could not read argument file")) {
            return "an @argument file cannot be read";
        }
        return "the command line cannot be read as given (mailsync --help shows how)";
    }

    /** An option the command does not know; passwords get a message of their own. */
    private static String unknownOption(String arg) {
        String name = arg.replaceFirst("^--?", "");
        int eq = name.indexOf('=');
        if (eq >= 0) {
            name = name.substring(0, eq); // the value may be a secret
        }
        if (name.contains("password") && !name.endsWith("-file") && !name.endsWith("-env")) {
            // Never take a password on the command line: it would show in ps and shell history.
            return "--" + name + ": passwords are not taken on the command line;"
                    + " use --source-password-file, --source-password-env (or the target's) or the prompt";
        }
        return "unknown option " + (arg.startsWith("--") ? "--" : "-") + name;
    }

    private static String wrongArguments(CommandLine where) {
        String said = where.getCommand() instanceof Subcommand s ? s.wrongArguments() : "wrong arguments";
        return said + "\n" + where.getUsageMessage();
    }

    private static String name(@Nullable ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return option.longestName();
        }
        return arg == null ? "a value" : arg.paramLabel();
    }

    /** A writer onto a print stream, so that text is encoded with the stream's own charset. */
    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                stream.print(new String(chars, offset, length));
            }

            @Override
            public void flush() {
                stream.flush();
            }

            @Override
            public void close() {
                stream.flush();
            }
        });
    }
}
