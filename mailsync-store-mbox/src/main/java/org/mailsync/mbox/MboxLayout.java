package org.mailsync.mbox;

/**
 * How a directory of mbox files holds a folder hierarchy.
 *
 * <p>Immutable.
 */
public enum MboxLayout {
    /**
     * mutt, Dovecot, c-client: a folder is a file, a parent is a plain directory (which then holds
     * no messages itself); the inbox is the file {@code inbox} at the top.
     */
    PLAIN_DIRECTORIES,
    /**
     * Thunderbird: folder {@code Name} is the file {@code Name}, its sub-folders live in the
     * directory {@code Name.sbd}; the inbox is the file {@code Inbox}. Flags are written as {@code
     * X-Mozilla-Status}, {@code X-Mozilla-Status2} and {@code X-Mozilla-Keys}.
     */
    THUNDERBIRD
}
