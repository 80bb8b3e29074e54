package org.mailsync.examples.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.mailsync.cluster.ClusterStatusView;
import org.mailsync.jdbc.Database;
import org.mailsync.status.StatusServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mailsync cluster serve --db URL [--bind ADDR] [--port N] [--token-file F]}: the live
 * status page of the cluster's migration (mailsync-status-page's server over {@link
 * ClusterStatusView}). Loopback by default; any other address needs a token, read from a file (never
 * from the command line).
 *
 * <p>Not thread-safe while picocli fills it.
 */
@Command(
        name = "serve",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync cluster serve --db URL [--bind ADDR] [--port N] [--token-file FILE]",
        description = "serve the live status page of the cluster's migration",
        descriptionHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class ClusterServeCommand implements Mailsync.Subcommand {
    @Mixin
    DbOptions db = new DbOptions();

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            description = "the address to listen on (default 127.0.0.1; any other needs --token-file)")
    String bind = "127.0.0.1";

    @Option(
            names = "--port",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "the port (default 8080)")
    int port = 8080;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            converter = OptionTypes.FileName.class,
            description = "the token every request must carry, from the first line of FILE (at least 16 of"
                    + " A-Za-z0-9-._~); open the page once as http://HOST:PORT/?token=TOKEN")
    @Nullable
    Path tokenFile;

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "cluster serve takes no arguments, only options";
    }

    @Override
    public ExitCode call(Terminal t) throws InterruptedException {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (IOException e) {
            throw new UsageException("--bind is not an address of this machine");
        }
        StatusServer.Options.Builder options =
                StatusServer.Options.builder().bindAddress(address).port(OptionTypes.inRange("port", port, 1, 65535));
        if (tokenFile != null) {
            try {
                options.token(new String(StoreSpec.readSecretFile(tokenFile, "token-file")));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--token-file: " + e.getMessage());
            }
        } else if (!address.isLoopbackAddress()) {
            throw new UsageException("--bind to a non-loopback address needs --token-file: the page lists"
                    + " accounts and can retry them");
        }
        Database database = db.open(t, 4);
        StatusServer server = new StatusServer(new ClusterStatusView(database.dataSource()), options.build());
        try {
            server.start();
        } catch (IOException e) {
            database.close();
            t.err().println("mailsync: cannot serve on " + bind + ":" + port + ": " + e.getMessage());
            return ExitCode.FAILURE;
        }
        Thread hook = new Thread(
                () -> {
                    server.close();
                    database.close();
                },
                "mailsync-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        t.err()
                .println("status page on " + server.uri()
                        + (server.tokenRequired() ? " (open it once with ?token=... from the token file)" : "")
                        + "; Ctrl-C stops it");
        try {
            Thread.currentThread().join();
        } finally {
            // Interrupted (the command run inside another program, or a test): stop serving now,
            // not at the JVM's exit, so the port and the database connections are given back.
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down and runs the hook; closing twice is harmless.
            }
            server.close();
            database.close();
        }
        return ExitCode.OK;
    }
}
