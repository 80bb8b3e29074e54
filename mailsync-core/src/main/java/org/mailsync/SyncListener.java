package org.mailsync;

/**
 * Receives progress as a pass runs: enough for a progress bar with an ETA, a log, or a vendor's
 * status page. Every method has an empty default.
 *
 * <p>Implementations must be thread-safe: the engine calls them from its worker threads, several
 * folders at once.
 */
public interface SyncListener {
    /** A listener that ignores everything. */
    SyncListener NONE = new SyncListener() {};

    /** The pass starts, with this many folder pairs to look at. */
    default void runStarted(int folderPairs) {}

    /** A folder pair was listed: this many messages (and bytes) will be copied. */
    default void folderStarted(FolderPair pair, long messagesToCopy, long bytesToCopy) {}

    /** One message was copied. */
    default void messageCopied(FolderPair pair, MessageUid source, long bytes) {}

    /** Flags were updated on this many target messages. */
    default void flagsUpdated(FolderPair pair, int messages) {}

    /** A folder pair is done (whatever its outcome). */
    default void folderFinished(FolderReport report) {}

    /** Something failed: a message, a folder, or the account. The pass goes on where it can. */
    default void error(MailStoreException error) {}

    /** The pass is over. */
    default void runFinished(SyncReport report) {}
}
