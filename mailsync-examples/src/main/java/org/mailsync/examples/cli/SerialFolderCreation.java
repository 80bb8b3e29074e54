package org.mailsync.examples.cli;

import java.util.List;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.StoreCapabilities;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * A target store whose {@link #createFolder} calls run one at a time. The engine's folder workers
 * create their target folders (and missing parents) concurrently: {@code Archive/2023} and {@code
 * Archive/2024} both create {@code Archive}. A server that refuses the loser's CREATE with a plain
 * NO, without RFC 5530's {@code [ALREADYEXISTS]} (GreenMail 2.1 does), would fail that folder.
 * Taking turns within this process removes the race; everything else passes straight through.
 *
 * <p>Thread-safe, as the wrapped store is.
 */
final class SerialFolderCreation implements MailStore {
    private final MailStore store;

    SerialFolderCreation(MailStore store) {
        this.store = store;
    }

    @Override
    public String account() {
        return store.account();
    }

    @Override
    public StoreCapabilities capabilities() {
        return store.capabilities();
    }

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        return store.listFolders();
    }

    @Override
    public synchronized void createFolder(FolderPath path) throws MailStoreException {
        store.createFolder(path);
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        return store.openFolder(path);
    }

    @Override
    public FolderStatus status(FolderPath path) throws MailStoreException {
        return store.status(path);
    }

    @Override
    public void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {
        store.setSubscribed(path, subscribed);
    }

    @Override
    public java.util.Map<org.mailsync.MessageUid, java.util.Optional<org.mailsync.MessageUid>> move(
            FolderPath from, java.util.Collection<org.mailsync.MessageUid> uids, FolderPath to)
            throws MailStoreException {
        return store.move(from, uids, to);
    }

    @Override
    public void close() throws MailStoreException {
        store.close();
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
