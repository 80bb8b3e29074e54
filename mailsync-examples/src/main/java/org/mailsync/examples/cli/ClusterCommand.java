package org.mailsync.examples.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code mailsync cluster ...}: a migration spread over many workers on one PostgreSQL database
 * (see mailsync-cluster's CLUSTER.md and the README's "Running on many machines").
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "cluster",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync cluster init|enqueue|status|retry|serve --db URL [options]",
        description = "run a migration over many workers sharing one PostgreSQL database",
        descriptionHeading = "%n",
        commandListHeading = "%ncommands:%n",
        subcommands = {
            ClusterInitCommand.class,
            ClusterEnqueueCommand.class,
            ClusterStatusCommand.class,
            ClusterRetryCommand.class,
            ClusterServeCommand.class
        })
final class ClusterCommand implements Mailsync.Subcommand {
    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "cluster needs a command: init, enqueue, status, retry or serve";
    }

    @Override
    public ExitCode call(Terminal t) {
        throw new UsageException(wrongArguments());
    }
}
