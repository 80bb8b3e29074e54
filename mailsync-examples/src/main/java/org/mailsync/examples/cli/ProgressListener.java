package org.mailsync.examples.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.FolderPair;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;

/**
 * Shows a pass as it runs: on a terminal a progress bar (messages, MB, MB/s, ETA) redrawn in
 * place; otherwise a log line per folder and a progress line every few seconds. It also remembers
 * the first authentication or connection failure, which decide the exit code.
 *
 * <p>Thread-safe: the engine calls it from its folder workers.
 */
final class ProgressListener implements SyncListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_NANOS = 5_000_000_000L;

    private final PrintStream err;
    private final boolean bar;
    private final String label;
    private final LongSupplier nanoTime;
    private final long started;
    private final AtomicInteger folders = new AtomicInteger();
    private final AtomicInteger foldersDone = new AtomicInteger();
    private final AtomicLong toCopy = new AtomicLong();
    private final AtomicLong bytesToCopy = new AtomicLong();
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong bytesCopied = new AtomicLong();
    private final AtomicLong lastDrawn = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicReference<@Nullable MailStoreException> decisive = new AtomicReference<>();

    ProgressListener(PrintStream err, boolean bar, String label, LongSupplier nanoTime) {
        this.err = err;
        this.bar = bar;
        this.label = label;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
    }

    @Override
    public void runStarted(int folderPairs) {
        folders.set(folderPairs);
        if (!bar) {
            err.printf("%s: %d folders to sync%n", label, folderPairs);
        }
    }

    @Override
    public void folderStarted(FolderPair pair, long messagesToCopy, long bytes) {
        toCopy.addAndGet(messagesToCopy);
        bytesToCopy.addAndGet(bytes);
        maybeDraw(false);
    }

    @Override
    public void messageCopied(FolderPair pair, MessageUid source, long bytes) {
        copied.incrementAndGet();
        bytesCopied.addAndGet(bytes);
        maybeDraw(false);
    }

    @Override
    public void folderFinished(FolderReport report) {
        foldersDone.incrementAndGet();
        if (bar) {
            maybeDraw(true);
        } else {
            synchronized (err) {
                err.printf(
                        "%s: %s: %s, %d copied, %d already present, %d flag updates, %d failed%s%n",
                        label,
                        report.pair(),
                        report.outcome(),
                        report.copied(),
                        report.alreadyPresent(),
                        report.flagsUpdated(),
                        report.failures().size(),
                        report.error() == null ? "" : " (" + report.error() + ")");
            }
        }
    }

    @Override
    public void error(MailStoreException error) {
        if (error instanceof AuthenticationException
                || error instanceof ConnectionException
                || error instanceof StoreFailureException) {
            decisive.compareAndSet(null, error);
        }
    }

    @Override
    public void runFinished(SyncReport report) {
        if (bar) {
            draw();
            synchronized (err) {
                err.println();
            }
        }
    }

    /** The first failure that stopped a folder or the account for good, if any. */
    @Nullable
    MailStoreException decisiveFailure() {
        return decisive.get();
    }

    private void maybeDraw(boolean force) {
        long now = nanoTime.getAsLong();
        long last = lastDrawn.get();
        long interval = bar ? REDRAW_NANOS : LOG_NANOS;
        if ((force || now - last >= interval) && lastDrawn.compareAndSet(last, now)) {
            draw();
        }
    }

    private void draw() {
        double seconds = Math.max(1e-3, (nanoTime.getAsLong() - started) / 1e9);
        long done = copied.get();
        long total = Math.max(done, toCopy.get());
        long bytes = bytesCopied.get();
        long totalBytes = Math.max(bytes, bytesToCopy.get());
        double rate = bytes / seconds;
        String eta = rate <= 0 || totalBytes == 0 ? "--:--" : clock((long) ((totalBytes - bytes) / rate));
        String counts = String.format(
                "%d/%d msgs  %.1f/%.1f MB  %.1f MB/s  ETA %s  folders %d/%d",
                done, total, bytes / 1e6, totalBytes / 1e6, rate / 1e6, eta, foldersDone.get(), folders.get());
        synchronized (err) {
            if (bar) {
                int width = 30;
                int filled = total == 0 ? 0 : (int) (width * done / total);
                err.print("\r" + label + " [" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + counts + "  ");
                err.flush();
            } else {
                err.println(label + ": " + counts);
            }
        }
    }

    private static String clock(long seconds) {
        return seconds >= 3600
                ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
