package org.mailsync.examples.cli;

import java.util.Locale;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.MailStoreException;
import org.mailsync.StoreFailureException;

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

    /** The exit code for a failure that stopped a store from opening or an account from syncing. */
    static ExitCode of(MailStoreException e) {
        if (e instanceof AuthenticationException) {
            return AUTHENTICATION;
        }
        if (e instanceof ConnectionException) {
            return CONNECTION;
        }
        if (e instanceof StoreFailureException && isTlsProblem(e)) {
            return CONNECTION;
        }
        return FAILURE;
    }

    /** The IMAP store reports an untrusted certificate or a missing STARTTLS as a store failure. */
    private static boolean isTlsProblem(MailStoreException e) {
        String reason = e.reason().toLowerCase(Locale.ROOT);
        return reason.contains("certificate") || reason.contains("tls") || reason.contains("ssl");
    }
}
