package org.mailsync.examples.cli;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code mailsync} command-line tool: {@code java -jar mailsync.jar COMMAND ...}. See {@link
 * #HELP} (printed by {@code --help}) for the commands and the exit codes.
 *
 * <p>Thread-safe (stateless).
 */
public final class Mailsync {
    static final String HELP = "usage: mailsync COMMAND [ARGS] [OPTIONS]   (mailsync COMMAND --help for its options)\n"
            + "\n"
            + "commands:\n"
            + "  migrate SOURCE TARGET   copy a mailbox; run it again to copy only what is new (delta pass)\n"
            + "  batch FILE.csv          migrate many accounts listed in a CSV file (--preflight: only test logins)\n"
            + "  verify SOURCE TARGET    compare source and target message by message\n"
            + "  demo                    no setup: migrate a sample mailbox between two embedded IMAP servers\n"
            + "\n"
            + "stores: imap://user@host[:port], imaps://user@host[:port], imap+starttls://user@host[:port],\n"
            + "        maildir:/path, mbox:/path (an mbox file, a directory of them, or a Thunderbird folder)\n"
            + "        a login that is an e-mail address: imaps://anna@example.com@host or imaps://anna%40example.com@host\n"
            + "\n"
            + "exit codes:\n"
            + exitCodes();

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
    interface Command {
        ExitCode run(List<String> args, Terminal t) throws InterruptedException;
    }

    private static ExitCode dispatch(List<String> args, Terminal t) throws InterruptedException {
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case "migrate" -> MigrateCommand.run(rest, t);
            case "batch" -> BatchCommand.run(rest, t);
            case "verify" -> VerifyCommand.run(rest, t);
            case "demo" -> DemoCommand.run(rest, t);
            default -> throw new UsageException("unknown command " + args.get(0) + "\n\n" + HELP);
        };
    }

    /** Runs {@code commands} on {@code args} and maps what it throws to an exit code. */
    static int run(List<String> args, Terminal t, Command commands) throws InterruptedException {
        try {
            if (args.isEmpty()
                    || args.get(0).equals("--help")
                    || args.get(0).equals("-h")
                    || args.get(0).equals("help")) {
                t.out().print(HELP);
                return args.isEmpty() ? ExitCode.USAGE.code : ExitCode.OK.code;
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

    private static String exitCodes() {
        StringBuilder out = new StringBuilder();
        for (ExitCode code : ExitCode.values()) {
            out.append(String.format("  %d  %s%n", code.code, code.meaning));
        }
        return out.toString();
    }
}
