package org.mailsync.spi;

/**
 * How {@link MailFolder#storeFlags} changes flags (IMAP {@code +FLAGS}, {@code -FLAGS}, {@code
 * FLAGS}).
 *
 * <p>Immutable.
 */
public enum FlagsUpdateMode {
    /** Add the given flags to those the message has. */
    ADD,
    /** Remove the given flags from those the message has. */
    REMOVE,
    /** Replace the message's flags by the given ones. */
    REPLACE
}
