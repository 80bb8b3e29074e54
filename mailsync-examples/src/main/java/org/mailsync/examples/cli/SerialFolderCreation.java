package org.mailsync.examples.cli;

import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.spi.ForwardingMailStore;
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
final class SerialFolderCreation extends ForwardingMailStore {
    SerialFolderCreation(MailStore store) {
        super(store);
    }

    @Override
    public synchronized void createFolder(FolderPath path) throws MailStoreException {
        super.createFolder(path);
    }

    @Override
    public synchronized void createFolder(FolderPath path, org.mailsync.SpecialUse use) throws MailStoreException {
        super.createFolder(path, use);
    }
}
