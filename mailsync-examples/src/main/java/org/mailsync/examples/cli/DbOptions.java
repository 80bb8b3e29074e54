package org.mailsync.examples.cli;

import java.nio.file.Path;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.mailsync.jdbc.Database;
import picocli.CommandLine.Option;

/**
 * The cluster database options every {@code cluster} command and the worker share: its URL, user
 * and password. The password never comes on the command line (it would show in ps and the shell
 * history): from a file, or from an environment variable ({@code MAILSYNC_DB_PASSWORD} by default).
 *
 * <p>Not thread-safe while picocli fills it.
 */
final class DbOptions {
    /** The environment variable read for the password when no other source is given. */
    static final String PASSWORD_ENV = "MAILSYNC_DB_PASSWORD";

    @Option(
            names = "--db",
            paramLabel = "URL",
            required = true,
            description =
                    "the cluster's PostgreSQL database: jdbc:postgresql://host[:port]/db or postgresql://host[:port]/db")
    String url = "";

    @Option(
            names = "--db-user",
            paramLabel = "USER",
            description = "the database user (default: $MAILSYNC_DB_USER, else postgres)")
    @Nullable
    String user;

    @Option(
            names = "--db-password-file",
            paramLabel = "FILE",
            converter = OptionTypes.FileName.class,
            description = "read the database password from the first line of FILE (default: $" + PASSWORD_ENV
                    + " if set, else none: trust or peer authentication)")
    @Nullable
    Path passwordFile;

    @Option(
            names = "--db-password-env",
            paramLabel = "VAR",
            description = "read the database password from environment variable VAR")
    @Nullable
    String passwordEnv;

    /** Opens a pool of at most {@code connections}. */
    Database open(Terminal t, int connections) {
        String jdbc = url.startsWith("postgresql://") ? "jdbc:" + url : url;
        if (!jdbc.startsWith("jdbc:postgresql://")) {
            throw new UsageException("--db is jdbc:postgresql://host[:port]/database (or postgresql://...)");
        }
        if (jdbc.contains("password=")) {
            throw new UsageException("a password does not belong in the --db URL (it would show in ps): use"
                    + " --db-password-file or $" + PASSWORD_ENV);
        }
        String who = user != null ? user : t.env().getOrDefault("MAILSYNC_DB_USER", "postgres");
        char[] password = password(t);
        try {
            return Database.connect(jdbc, who, password, connections);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private char[] password(Terminal t) {
        if (passwordFile != null && passwordEnv != null) {
            throw new UsageException("--db-password-file and --db-password-env: give one of the two");
        }
        if (passwordFile != null) {
            return StoreSpec.readSecretFile(passwordFile, "db-password-file");
        }
        String variable = passwordEnv != null ? passwordEnv : PASSWORD_ENV;
        String value = t.env().get(variable);
        if (value == null && passwordEnv != null) {
            throw new UsageException("the environment variable named by --db-password-env is not set");
        }
        return value == null ? new char[0] : value.toCharArray();
    }
}
