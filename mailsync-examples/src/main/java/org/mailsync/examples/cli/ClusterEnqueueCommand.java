package org.mailsync.examples.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.mailsync.cluster.ClusterQueue;
import org.mailsync.cluster.JobKind;
import org.mailsync.cluster.Mailbox;
import org.mailsync.cluster.NewAccount;
import org.mailsync.cluster.PassOptions;
import org.mailsync.examples.cli.BatchFile.Account;
import org.mailsync.jdbc.AccountSecrets;
import org.mailsync.jdbc.Database;
import org.mailsync.jdbc.SecretSealer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mailsync cluster enqueue FILE.csv ...}: the accounts of a {@code batch} CSV, queued for
 * the workers; passwords sealed with the workers' public key before they reach the database (never
 * stored in clear, never printed).
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "enqueue",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync cluster enqueue FILE.csv --db URL --source imaps://old-host[:port]"
                + " --target imaps://new-host[:port] [options]",
        description = "queue the accounts of a CSV file (the batch command's format) for the workers",
        descriptionHeading = "%n",
        parameterListHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class ClusterEnqueueCommand implements Mailsync.Subcommand {
    @Parameters(
            index = "0",
            paramLabel = "FILE.csv",
            converter = OptionTypes.FileName.class,
            description = "lines: source user, source password, target user, target password[, source host[,"
                    + " target host]], as for mailsync batch")
    Path file = Path.of("");

    @Mixin
    DbOptions db = new DbOptions();

    @Option(
            names = "--source",
            paramLabel = "URI",
            converter = OptionTypes.Server.class,
            description = "the server of every line without a source host: imaps://old-host[:port]")
    @Nullable
    StoreSpec sourceServer;

    @Option(
            names = "--target",
            paramLabel = "URI",
            converter = OptionTypes.Server.class,
            description = "the server of every line without a target host: imaps://new-host[:port]")
    @Nullable
    StoreSpec targetServer;

    @Option(
            names = "--charset",
            paramLabel = "NAME",
            converter = OptionTypes.CharsetName.class,
            description = "the file's charset (default: detected, as for batch)")
    @Nullable
    Charset charset;

    @Option(
            names = "--max-connections-per-server",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "the most connections to one source server over all workers together (default 8)")
    int maxConnectionsPerServer = 8;

    @Option(
            names = "--connections-per-account",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "connections one account's pass opens on each side (default 2, at least 2)")
    int connectionsPerAccount = 2;

    @Option(
            names = "--priority",
            paramLabel = "KIND",
            description = "bulk (default), delta, resume or login: which accounts the workers take first")
    String priority = "bulk";

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "cluster enqueue needs one CSV file";
    }

    @Override
    public ExitCode call(Terminal t) {
        JobKind kind;
        try {
            kind = JobKind.valueOf(priority.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--priority is bulk, delta, resume or login");
        }
        int cap = OptionTypes.inRange("max-connections-per-server", maxConnectionsPerServer, 1, 10_000);
        int perAccount = OptionTypes.inRange("connections-per-account", connectionsPerAccount, 2, 64);
        if (perAccount > cap) {
            throw new UsageException("--connections-per-account is more than --max-connections-per-server");
        }
        List<Account> lines = BatchFile.parse(BatchFile.read(file, charset), sourceServer, targetServer);
        if (lines.isEmpty()) {
            throw new UsageException(file + " lists no accounts");
        }
        PassOptions options =
                new PassOptions(perAccount, PassOptions.DEFAULTS.maxAttempts(), PassOptions.DEFAULTS.batch());
        List<NewAccount> accounts = new ArrayList<>();
        for (Account a : lines) {
            accounts.add(new NewAccount(
                    id(a.source()) + " -> " + id(a.target()),
                    mailbox(a.source()),
                    a.sourcePassword(),
                    mailbox(a.target()),
                    a.targetPassword(),
                    options));
        }
        try (Database database = db.open(t, 2)) {
            var key = AccountSecrets.over(database.dataSource()).publishedKey();
            if (key.isEmpty()) {
                t.err().println("mailsync: the database has no workers' key yet: run mailsync cluster init first");
                return ExitCode.FAILURE;
            }
            List<String> added =
                    new ClusterQueue(database.dataSource()).enqueue(accounts, kind, cap, SecretSealer.to(key.get()));
            t.out()
                    .println("queued " + added.size() + " of " + accounts.size() + " accounts ("
                            + (accounts.size() - added.size()) + " were queued before)");
            return ExitCode.OK;
        } catch (IOException e) {
            t.err().println("mailsync: cluster enqueue failed: " + e.getMessage());
            return ExitCode.FAILURE;
        } finally {
            lines.forEach(a -> {
                Arrays.fill(a.sourcePassword(), '\0');
                Arrays.fill(a.targetPassword(), '\0');
            });
        }
    }

    /** The account's id part for one side: user at host:port. */
    private static String id(StoreSpec spec) {
        return spec.user() + "@" + spec.server();
    }

    private static Mailbox mailbox(StoreSpec spec) {
        if (spec.kind() != StoreSpec.Kind.IMAP) {
            throw new UsageException("cluster workers copy between IMAP servers, not " + spec.canonical());
        }
        String host = Objects.requireNonNull(spec.host());
        String uri = Objects.requireNonNull(spec.security()).scheme() + "://"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + spec.port();
        return new Mailbox(uri, Objects.requireNonNull(spec.user()));
    }
}
