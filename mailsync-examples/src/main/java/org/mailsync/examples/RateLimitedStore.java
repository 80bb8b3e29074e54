package org.mailsync.examples;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * A store that reads message bodies no faster than a given number of bytes and messages per
 * second, summed over all its folders: for a source server whose operator asks for gentleness, or
 * a provider that throttles accounts that read too fast (and then answers with errors, which cost
 * more time than the limit). Everything else passes straight through.
 *
 * <p>Thread-safe, as the wrapped store is. Closing it closes the wrapped store.
 */
public final class RateLimitedStore extends ForwardingMailStore {
    /** Where the limiter gets the time and how it waits; a seam for tests. */
    interface Pacer {
        Pacer REAL = new Pacer() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        };

        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final long bytesPerSecond;
    private final double messagesPerSecond;
    private final Pacer pacer;
    private long nextFree; // guarded by this

    RateLimitedStore(MailStore store, long bytesPerSecond, double messagesPerSecond, Pacer pacer) {
        super(store);
        checkArgument(bytesPerSecond >= 0, "bytes per second must not be negative, not %s", bytesPerSecond);
        checkArgument(messagesPerSecond >= 0, "messages per second must not be negative, not %s", messagesPerSecond);
        this.bytesPerSecond = bytesPerSecond;
        this.messagesPerSecond = messagesPerSecond;
        this.pacer = pacer;
        this.nextFree = pacer.nanoTime();
    }

    /**
     * Wraps {@code store}; a limit of 0 means none. Returns {@code store} itself when both are 0.
     */
    public static MailStore wrap(MailStore store, long bytesPerSecond, double messagesPerSecond) {
        if (bytesPerSecond == 0 && messagesPerSecond == 0) {
            return store;
        }
        return new RateLimitedStore(store, bytesPerSecond, messagesPerSecond, Pacer.REAL);
    }

    /**
     * Accounts for one message of {@code bytes} and waits until the limits allow it: the reads so
     * far have a schedule, each taking the time its bytes and its count cost at the limit, and
     * this one waits for its slot. Idle time is not saved up beyond now, so no burst follows it.
     */
    void pace(long bytes, FolderPath folder) throws MailStoreException {
        double seconds = 0;
        if (bytesPerSecond > 0) {
            seconds = Math.max(seconds, (double) bytes / bytesPerSecond);
        }
        if (messagesPerSecond > 0) {
            seconds = Math.max(seconds, 1 / messagesPerSecond);
        }
        long wait;
        synchronized (this) {
            long now = pacer.nanoTime();
            long start = Math.max(now, nextFree);
            nextFree = start + (long) (seconds * 1e9);
            wait = start - now;
        }
        if (wait > 0) {
            try {
                pacer.sleepNanos(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreFailureException(ErrorContext.of(account(), folder), "interrupted", e);
            }
        }
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        return new Folder(delegate().openFolder(path));
    }

    @Override
    public String toString() {
        return "RateLimitedStore[" + delegate() + ", " + bytesPerSecond + " B/s, " + messagesPerSecond + " msg/s]";
    }

    /** Paces message bodies; everything else passes through. */
    private final class Folder extends ForwardingMailFolder {
        Folder(MailFolder folder) {
            super(folder);
        }

        @Override
        public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
            Optional<RawMessage> raw = delegate().read(uid);
            if (raw.isPresent()) {
                paceOrClose(raw.get());
            }
            return raw;
        }

        @Override
        public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer) throws MailStoreException {
            delegate().readAll(uids, (uid, raw) -> {
                paceOrClose(raw);
                consumer.accept(uid, raw);
            });
        }

        /** Paces {@code raw}; if pacing fails, nobody else will ever close it, so this does. */
        private void paceOrClose(RawMessage raw) throws MailStoreException {
            try {
                pace(raw.size(), path());
            } catch (MailStoreException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }
    }
}
