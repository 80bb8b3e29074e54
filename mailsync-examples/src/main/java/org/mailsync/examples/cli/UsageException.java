package org.mailsync.examples.cli;

/**
 * A command line that cannot be run as given; {@code mailsync} exits with {@link ExitCode#USAGE}.
 * The message is printed as it is, so it must never hold a value that may be a secret.
 */
class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
