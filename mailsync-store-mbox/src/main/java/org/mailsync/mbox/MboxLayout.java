package org.mailsync.mbox;

/**
 * How a directory of mbox files holds a folder hierarchy.
 *
 * <p>Without {@link MboxStore.Builder#layout} a store detects the layout of an existing tree when
 * it is built, and keeps it: a tree with a Thunderbird index ({@code *.msf}) is {@link #THUNDERBIRD};
 * else one with a {@code Name.sbd} directory is {@link #SBD_DIRECTORIES}; else one with any other
 * sub-directory (hidden ones aside) is {@link #PLAIN_DIRECTORIES}; a tree without sub-directories
 * (missing, empty, or files only) is written as {@link #SBD_DIRECTORIES}, the layout that holds any
 * IMAP tree. So the layout is chosen before the first copy and is the same on every run.
 *
 * <p>Immutable.
 */
public enum MboxLayout {
    /**
     * mutt, Dovecot, c-client: a folder is a file, a parent is a plain directory (which then holds
     * no messages itself); the inbox is the file {@code inbox} at the top. Cannot hold a folder
     * that has both messages and sub-folders.
     */
    PLAIN_DIRECTORIES,
    /**
     * Thunderbird's hierarchy with c-client/Dovecot flag headers: folder {@code Name} is the file
     * {@code Name}, its sub-folders live in the directory {@code Name.sbd}; a folder that is only a
     * parent is just its {@code .sbd} directory. The inbox is the file {@code inbox}. Holds any
     * IMAP tree; the default for a new tree.
     */
    SBD_DIRECTORIES,
    /**
     * Thunderbird: the hierarchy of {@link #SBD_DIRECTORIES}; the inbox is the file {@code Inbox}.
     * Flags are written as {@code X-Mozilla-Status}, {@code X-Mozilla-Status2} and {@code
     * X-Mozilla-Keys}.
     */
    THUNDERBIRD;

    /** Whether sub-folders of {@code Name} live in {@code Name.sbd}. */
    boolean sbd() {
        return this != PLAIN_DIRECTORIES;
    }
}
