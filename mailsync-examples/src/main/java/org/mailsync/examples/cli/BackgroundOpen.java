package org.mailsync.examples.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;
import org.mailsync.MailStoreException;
import org.mailsync.spi.MailStore;

/**
 * Opens a store on a thread of its own while the caller opens the other one: the two logins
 * (connect, greeting, LOGIN, capabilities, and the first use of the IMAP classes) overlap instead
 * of adding up, a good part of a short run such as a no-op pass (issue 15).
 *
 * <p>Thread-safe: {@link #get} and {@link #abandon} may be called from any thread, once.
 */
final class BackgroundOpen {
    /** Opens a store. */
    @FunctionalInterface
    interface Opener {
        MailStore open() throws MailStoreException;
    }

    private final FutureTask<MailStore> task;
    private boolean abandoned;
    private @Nullable MailStore opened;

    private BackgroundOpen(Opener opener) {
        this.task = new FutureTask<>(() -> {
            MailStore store = opener.open();
            synchronized (this) {
                if (!abandoned) {
                    opened = store;
                    return store;
                }
            }
            closeQuietly(store); // the caller gave up on it: the other side failed
            return store;
        });
    }

    /** Starts opening on a daemon thread named {@code name}. */
    static BackgroundOpen start(String name, Opener opener) {
        BackgroundOpen open = new BackgroundOpen(opener);
        Thread thread = new Thread(open.task, name);
        thread.setDaemon(true);
        thread.start();
        return open;
    }

    /** The store once open; or what opening it threw. */
    MailStore get() throws MailStoreException, InterruptedException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            abandon();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MailStoreException m) {
                throw m;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("opening a store threw " + cause, cause);
        }
    }

    /**
     * The caller will not take the store (opening the other one failed): closed now if open,
     * otherwise as soon as it opens, without waiting for it here. Whatever opening it throws is
     * not reported: the other side's failure is.
     */
    void abandon() {
        MailStore store;
        synchronized (this) {
            abandoned = true;
            store = opened;
            opened = null;
        }
        if (store != null) {
            closeQuietly(store);
        }
    }

    private static void closeQuietly(MailStore store) {
        try {
            store.close();
        } catch (MailStoreException | RuntimeException e) {
            // Abandoned: a logout that fails changes nothing for the run, which reports the other side.
        }
    }
}
