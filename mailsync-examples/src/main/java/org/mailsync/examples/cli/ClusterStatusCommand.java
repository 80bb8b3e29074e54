package org.mailsync.examples.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.mailsync.cluster.AccountJob;
import org.mailsync.cluster.ClusterQueue;
import org.mailsync.cluster.ClusterSummary;
import org.mailsync.cluster.JobState;
import org.mailsync.jdbc.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mailsync cluster status --db URL}: accounts per state, the running ones with their
 * progress, the throughput of the last minutes, and the failures with their reasons.
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "status",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync cluster status --db URL [--failures N] [--minutes N]",
        description = "show where the cluster's migration stands",
        descriptionHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class ClusterStatusCommand implements Mailsync.Subcommand {
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Mixin
    DbOptions db = new DbOptions();

    @Option(
            names = "--failures",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "failed accounts to list (default 20)")
    int failures = 20;

    @Option(
            names = "--minutes",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "minutes of throughput to show (default 10)")
    int minutes = 10;

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "cluster status takes no arguments, only options";
    }

    @Override
    public ExitCode call(Terminal t) {
        try (Database database = db.open(t, 2)) {
            ClusterSummary s = new ClusterQueue(database.dataSource()).summary(failures, minutes);
            t.out().print(format(s));
            return ExitCode.OK;
        } catch (IOException e) {
            t.err().println("mailsync: cluster status failed: " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }

    static String format(ClusterSummary s) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        out.printf("%-8s %9s%n", "state", "accounts");
        for (JobState state : JobState.values()) {
            out.printf("%-8s %9d%n", state, s.count(state));
        }
        out.printf("%-8s %9d%n", "total", s.total());
        if (!s.running().isEmpty()) {
            out.printf("%nrunning:%n%-50s %-20s %15s %10s%n", "account", "worker", "messages", "MB");
            for (AccountJob j : s.running()) {
                out.printf(
                        "%-50s %-20s %15s %10.1f%n",
                        cut(j.account(), 50),
                        cut(j.optionalWorker().orElse("-"), 20),
                        j.messagesDone() + "/" + j.messagesTotal(),
                        j.bytesDone() / 1e6);
            }
        }
        if (!s.throughput().isEmpty()) {
            out.printf(
                    "%nthroughput (UTC):%n%-6s %10s %10s %9s %8s%n", "minute", "messages", "MB", "accounts", "workers");
            for (ClusterSummary.Minute m : s.throughput()) {
                out.printf(
                        "%-6s %10d %10.1f %9d %8d%n",
                        MINUTE.format(m.minute()), m.messages(), m.bytes() / 1e6, m.accountsDone(), m.workers());
            }
        }
        if (!s.failures().isEmpty()) {
            out.printf(
                    "%nfailures (mailsync cluster retry --failed queues them again):%n%-50s %8s  %s%n",
                    "account", "attempts", "reason");
            for (AccountJob j : s.failures()) {
                out.printf("%-50s %8d  %s%n", cut(j.account(), 50), j.attempts(), j.reason());
            }
        }
        out.printf("%ntakeovers: %d, late writes refused: %d%n", s.takeovers(), s.refusedWrites());
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String cut(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }
}
