package org.mailsync.examples.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mailsync.cluster.ClusterQueue;
import org.mailsync.jdbc.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mailsync cluster retry [ACCOUNT...] [--failed] --db URL}: queues failed accounts again
 * (attempts reset), as RESUME passes that run before bulk ones.
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "retry",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync cluster retry [ACCOUNT...] [--failed] [--even-done] --db URL",
        description = "queue failed accounts again",
        descriptionHeading = "%n",
        parameterListHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class ClusterRetryCommand implements Mailsync.Subcommand {
    @Parameters(paramLabel = "ACCOUNT", arity = "0..*", description = "account ids, as cluster status shows them")
    List<String> accounts = new ArrayList<>();

    @Option(names = "--failed", description = "every failed account")
    boolean allFailed;

    @Option(names = "--even-done", description = "also the named accounts that completed (a fresh pass)")
    boolean evenDone;

    @Mixin
    DbOptions db = new DbOptions();

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "cluster retry needs account ids or --failed";
    }

    @Override
    public ExitCode call(Terminal t) {
        if (accounts.isEmpty() != allFailed) {
            throw new UsageException("cluster retry needs account ids or --failed (one of the two)");
        }
        try (Database database = db.open(t, 2)) {
            ClusterQueue queue = new ClusterQueue(database.dataSource());
            List<String> queued = allFailed ? queue.retryFailed() : queue.retry(accounts, evenDone);
            queued.forEach(a -> t.out().println("queued " + a));
            t.out().println(queued.size() + " accounts queued again");
            return ExitCode.OK;
        } catch (IOException e) {
            t.err().println("mailsync: cluster retry failed: " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }
}
