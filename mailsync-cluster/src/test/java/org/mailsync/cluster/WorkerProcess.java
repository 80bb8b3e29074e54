package org.mailsync.cluster;

import java.nio.file.Path;
import java.time.Duration;
import org.mailsync.jdbc.Database;
import org.mailsync.jdbc.SecretOpener;

/**
 * A worker JVM for the tests that kill and stop workers: {@code WorkerProcess URL KEYFILE NAME
 * THREADS SLOW_DELAY_MS}. Prints {@code READY} once its scheduler runs, then works until killed.
 */
public final class WorkerProcess {
    private WorkerProcess() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path keyFile = Path.of(args[1]);
        String name = args[2];
        int threads = Integer.parseInt(args[3]);
        long slowDelay = Long.parseLong(args[4]);
        Database db = Database.connect(url, "postgres", new char[0], threads + 6);
        ClusterWorker worker = ClusterWorker.builder()
                .database(db.dataSource())
                .secrets(SecretOpener.fromKeyFile(keyFile))
                .name(name)
                .threads(threads)
                .opener(new SlowSourceOpener(ImapMailboxOpener.DEFAULT, slowDelay))
                .delta(Duration.ofSeconds(2), Duration.ofDays(1))
                .build();
        worker.start();
        System.out.println("READY " + name);
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
