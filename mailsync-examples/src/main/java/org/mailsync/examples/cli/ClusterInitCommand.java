package org.mailsync.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.mailsync.cluster.ClusterSchema;
import org.mailsync.jdbc.AccountSecrets;
import org.mailsync.jdbc.Database;
import org.mailsync.jdbc.SealingKey;
import org.mailsync.jdbc.SecretKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mailsync cluster init --db URL --key FILE}: creates the tables, and the workers' key pair:
 * the private key written to FILE (0600; copy it to every worker, and nowhere else), the public
 * key into the database, where {@code enqueue} seals passwords with it. An existing key file is
 * kept and its public key published again.
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "init",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync cluster init --db URL [--key FILE] [--db-user USER] [--db-password-file FILE]",
        description = "create the cluster's tables and the workers' key pair",
        descriptionHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class ClusterInitCommand implements Mailsync.Subcommand {
    @Mixin
    DbOptions db = new DbOptions();

    @Option(
            names = "--key",
            paramLabel = "FILE",
            converter = OptionTypes.FileName.class,
            description = "the workers' private key file (default ./mailsync-worker.key); created 0600 if missing")
    Path key = Path.of("mailsync-worker.key");

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "cluster init takes no arguments, only options";
    }

    @Override
    public ExitCode call(Terminal t) {
        try (Database database = db.open(t, 2)) {
            int version = ClusterSchema.apply(database.dataSource());
            SealingKey publicKey;
            if (Files.exists(key, LinkOption.NOFOLLOW_LINKS)) {
                publicKey = SecretKeys.readPublic(SecretKeys.publicKeyFile(key));
                t.out().println("key " + key + " exists: kept");
            } else {
                publicKey = SecretKeys.generate(key);
                t.out()
                        .println("wrote the workers' private key to " + key
                                + " (0600): copy it to every worker, and keep it nowhere else");
            }
            AccountSecrets.over(database.dataSource()).publishKey(publicKey);
            t.out()
                    .println("schema version " + version + " ready in " + database.url() + "; public key "
                            + publicKey.id() + " published for enqueue");
            return ExitCode.OK;
        } catch (IOException e) {
            t.err().println("mailsync: cluster init failed: " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }
}
