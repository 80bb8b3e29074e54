package org.mailsync.examples.cli;

/**
 * The exit codes of {@code mailsync}, as {@code --help} lists them.
 *
 * <p>Immutable.
 */
enum ExitCode {
    OK(0, "success: everything selected was synced (or, for verify, matches)"),
    PARTIAL(1, "partial success: some messages or folders were skipped or failed (see the report)"),
    USAGE(2, "usage error: unknown command or option, missing argument, no password source"),
    AUTHENTICATION(3, "authentication failed on the source or the target"),
    CONNECTION(4, "connection failed: host unreachable, timeout, TLS or certificate not trusted"),
    DIFFERENCES(5, "verify found messages missing, duplicated or differing"),
    FAILURE(6, "other failure: a store could not be opened or failed as a whole"),
    BUSY(7, "busy: another run holds this mailbox (or its checkpoint directory)");

    final int code;
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The worse of two outcomes, for a run over several accounts. */
    ExitCode worse(ExitCode other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
