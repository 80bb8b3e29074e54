package org.mailsync.spi;

import java.util.List;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.StoreCapabilities;

/**
 * A place that holds folders of messages: an IMAP account, a Maildir tree, a directory of mbox
 * files, or memory. The sync engine reads one store and writes another through this interface
 * and {@link MailFolder}, and knows nothing else of either.
 *
 * <p>Implementations are thread-safe: the engine opens several folders at once from several
 * threads. Each {@link MailFolder} they return is confined to one thread.
 */
public interface MailStore extends AutoCloseable {
    /**
     * How this store names itself in errors, reports and logs: {@code imaps://alice@imap.example},
     * {@code maildir:/srv/backup}. Never holds a password.
     */
    String account();

    /** What this store can do. */
    StoreCapabilities capabilities();

    /** Every folder, parents before children, including non-selectable parents. */
    List<FolderInfo> listFolders() throws MailStoreException;

    /**
     * Creates the folder and any missing parents; a folder that exists already is left as it is.
     *
     * @throws org.mailsync.FolderUnusableException if this store cannot hold such a name
     */
    void createFolder(FolderPath path) throws MailStoreException;

    /**
     * Opens an existing folder for reading and writing.
     *
     * @throws org.mailsync.FolderUnusableException if it does not exist or cannot be opened
     */
    MailFolder openFolder(FolderPath path) throws MailStoreException;

    /**
     * The status of a folder without keeping it open: the engine's skip test asks this of every
     * source folder on every pass, so a store that can answer cheaply (IMAP STATUS on its
     * store-level connection, without a SELECT) overrides it.
     */
    default FolderStatus status(FolderPath path) throws MailStoreException {
        try (MailFolder folder = openFolder(path)) {
            return folder.status();
        }
    }

    /**
     * Subscribes to or unsubscribes from a folder; a store without {@link
     * org.mailsync.Capability#SUBSCRIPTIONS} ignores the call.
     */
    default void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {}

    /** Closes every connection or file this store holds; open folders become unusable. */
    @Override
    void close() throws MailStoreException;
}
