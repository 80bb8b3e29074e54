package org.mailsync.examples.templates;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.mailsync.FolderPair;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;

/**
 * Template: listen to a pass as it runs, for a log, a status page or a progress bar. The engine
 * calls the listener from several folder workers at once, hence the atomic counters.
 *
 * <p>Use it with {@code SyncEngine.builder().listener(new ProgressEvents(log::info))}.
 * Thread-safe.
 */
public final class ProgressEvents implements SyncListener {
    private final Consumer<String> log;
    private final AtomicLong toCopy = new AtomicLong();
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /** Sends one line per event worth a line to {@code log}. */
    public ProgressEvents(Consumer<String> log) {
        this.log = log;
    }

    @Override
    public void runStarted(int folderPairs) {
        log.accept("starting: " + folderPairs + " folders");
    }

    @Override
    public void folderStarted(FolderPair pair, long messagesToCopy, long bytesToCopy) {
        toCopy.addAndGet(messagesToCopy);
        log.accept(pair + ": " + messagesToCopy + " messages to copy (" + bytesToCopy + " bytes)");
    }

    @Override
    public void messageCopied(FolderPair pair, MessageUid source, long size) {
        long done = copied.incrementAndGet();
        bytes.addAndGet(size);
        if (done % 100 == 0) {
            log.accept(done + " of " + toCopy.get() + " messages copied so far");
        }
    }

    @Override
    public void folderFinished(FolderReport report) {
        log.accept(report.pair() + ": " + report.outcome() + ", " + report.copied() + " copied");
    }

    @Override
    public void error(MailStoreException error) {
        log.accept("problem: " + error.getMessage());
    }

    @Override
    public void runFinished(SyncReport report) {
        log.accept("finished: " + report.verdict() + ", " + copied.get() + " messages, " + bytes.get() + " bytes");
    }

    /** Messages copied so far in this pass. */
    public long copied() {
        return copied.get();
    }

    /** Bytes copied so far in this pass. */
    public long bytesCopied() {
        return bytes.get();
    }
}
