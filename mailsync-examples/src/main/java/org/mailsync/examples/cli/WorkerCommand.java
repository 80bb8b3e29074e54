package org.mailsync.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.mailsync.cluster.ClusterSchema;
import org.mailsync.cluster.ClusterWorker;
import org.mailsync.jdbc.Database;
import org.mailsync.jdbc.SecretOpener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mailsync worker --db URL --threads N --key FILE}: one worker of the cluster; runs
 * account passes until stopped (Ctrl-C or SIGTERM let its passes end within a few seconds; a
 * killed worker's passes are taken over by the others).
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "worker",
        synopsisHeading = "usage: ",
        customSynopsis =
                "mailsync worker --db URL --key FILE [--threads N] [--name NAME] [--delta-after 15m] [--delta-for 7d]",
        description = "run a cluster worker: migrate queued accounts until stopped",
        descriptionHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class WorkerCommand implements Mailsync.Subcommand {
    @Mixin
    DbOptions db = new DbOptions();

    @Option(
            names = "--key",
            paramLabel = "FILE",
            required = true,
            converter = OptionTypes.FileName.class,
            description = "the workers' private key file, from mailsync cluster init")
    Path key = Path.of("");

    @Option(
            names = "--threads",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "accounts at once on this worker (default 4)")
    int threads = 4;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "the worker's name in status and logs (default: host name and process id)")
    @Nullable
    String name;

    @Option(
            names = "--delta-after",
            paramLabel = "DURATION",
            converter = OptionTypes.Span.class,
            description = "a completed account gets a delta pass this long after its last pass (default 15m;"
                    + " with hundreds of thousands of accounts take hours: each pass logs in on both sides)")
    Duration deltaAfter = Duration.ofMinutes(15);

    @Option(
            names = "--delta-for",
            paramLabel = "DURATION",
            converter = OptionTypes.Span.class,
            description = "delta passes go on this long after an account's first complete pass (default 7d)")
    Duration deltaFor = Duration.ofDays(7);

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "worker takes no arguments, only options";
    }

    @Override
    public ExitCode call(Terminal t) throws InterruptedException {
        int n = OptionTypes.inRange("threads", threads, 1, 256);
        SecretOpener opener;
        try {
            opener = SecretOpener.fromKeyFile(key);
        } catch (IOException e) {
            t.err().println("mailsync: cannot read the worker key: " + e.getMessage());
            return ExitCode.FAILURE;
        }
        // Each pass: its row, lease and checkpoint writes; plus the scheduler's polls and heartbeats.
        Database database = db.open(t, n + 6);
        try {
            ClusterSchema.apply(database.dataSource());
        } catch (IOException e) {
            database.close();
            t.err().println("mailsync: worker cannot reach the cluster database: " + e.getMessage());
            return ExitCode.FAILURE;
        }
        ClusterWorker.Builder builder = ClusterWorker.builder()
                .database(database.dataSource())
                .secrets(opener)
                .threads(n);
        if (name != null) {
            builder.name(name);
        }
        ClusterWorker worker = builder.build();
        Thread stop = new Thread(
                () -> {
                    worker.close();
                    database.close();
                },
                "mailsync-worker-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        worker.start();
        t.err()
                .println("worker " + worker.name() + " running " + n + " accounts at once (lease "
                        + worker.leaseLength().toSeconds() + " s); Ctrl-C stops it");
        Thread.currentThread().join(); // until the JVM is stopped
        return ExitCode.OK;
    }
}
