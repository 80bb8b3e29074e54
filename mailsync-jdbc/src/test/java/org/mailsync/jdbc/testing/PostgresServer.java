package org.mailsync.jdbc.testing;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.mailsync.jdbc.Database;

/**
 * A throwaway PostgreSQL cluster for a test: {@code initdb} into a fresh temp directory, {@code
 * pg_ctl start} on a free loopback port (Unix socket in the same directory), one database {@value
 * #DATABASE}, trust authentication for user {@value #USER}; {@link #close()} stops it ({@code -m
 * immediate}) and deletes the directory. Started by root, the server runs as the {@code postgres}
 * system user (PostgreSQL refuses to run as root), through {@code su postgres -s /bin/sh -c ...},
 * and the directory is handed to that user.
 *
 * <p>Durability is traded for speed ({@code fsync}, {@code synchronous_commit} and {@code
 * full_page_writes} off): tests kill workers, never this server. The binaries are looked for in
 * the folder the system property {@value #BIN_PROPERTY} or {@code $MAILSYNC_PG_BIN} names, then the newest {@code /usr/lib/postgresql/<version>/bin} (Debian's
 * layout), then {@code PATH}; when there are none, {@link #start()} fails with what to install: a
 * test that needs PostgreSQL fails, never skips.
 *
 * <p>Start one per test class, not per test (about a second each). Child JVMs connect with {@link
 * #url()} and {@link #user()} (no password). Thread-safe once started.
 */
public final class PostgresServer implements AutoCloseable {
    /** The database created at start. */
    public static final String DATABASE = "mailsync";
    /** The superuser, authenticated by trust on loopback. */
    public static final String USER = "postgres";

    /** A system property naming the folder of {@code initdb} and {@code pg_ctl}, before {@code $MAILSYNC_PG_BIN}. */
    public static final String BIN_PROPERTY = "mailsync.pg.bin";

    private static final String SYSTEM_USER = "postgres";
    private static final Pattern VERSION_DIR = Pattern.compile("\\d+(\\.\\d+)?");

    private final Path binaries;
    private final Path base;
    private final int port;
    private final boolean asSystemUser;
    private final Thread shutdownHook;
    private final List<Database> pools = new ArrayList<>();
    private final Database pool;
    private volatile boolean running = true;

    private PostgresServer(Path binaries, Path base, int port, boolean asSystemUser) {
        this.binaries = binaries;
        this.base = base;
        this.port = port;
        this.asSystemUser = asSystemUser;
        this.shutdownHook = new Thread(this::stopQuietly, "postgres-server-stop");
        this.pool = Database.connect(url(), USER, new char[0], 10);
        pools.add(pool);
    }

    /**
     * Creates, starts and fills a fresh cluster with database {@value #DATABASE}.
     *
     * @throws IOException if PostgreSQL is not installed (the message says what to install), or
     *     if it does not start (the message holds the server's log)
     */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path binaries = findBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path base = Files.createTempDirectory(tempRoot(), "mailsync-pg-");
        try {
            if (root) {
                handToSystemUser(base);
            }
            run(
                    binaries,
                    base,
                    root,
                    "initdb",
                    List.of("-D", "data", "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                try {
                    run(
                            binaries,
                            base,
                            root,
                            "pg_ctl",
                            List.of(
                                    "-D",
                                    "data",
                                    "-l",
                                    "server.log",
                                    "-w",
                                    "-t",
                                    "60",
                                    "-o",
                                    "-p " + port + " -k " + base + " -c listen_addresses=127.0.0.1 -c fsync=off"
                                            + " -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB"
                                            + " -c max_connections=200",
                                    "start"));
                } catch (IOException e) {
                    // Another process may have taken the port between the probe and the start.
                    last = e;
                    continue;
                }
                PostgresServer server = new PostgresServer(binaries, base, port, root);
                Runtime.getRuntime().addShutdownHook(server.shutdownHook);
                try {
                    server.createDatabase(DATABASE);
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw e;
                }
                return server;
            }
            throw last != null ? last : new IOException("PostgreSQL did not start");
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteTree(base);
            throw e;
        }
    }

    /** The JDBC URL of database {@value #DATABASE}. */
    public String url() {
        return url(DATABASE);
    }

    /** The JDBC URL of {@code database} on this server. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The user to connect as ({@value #USER}); no password is asked. */
    public String user() {
        return USER;
    }

    /** The temp directory holding the cluster's data, socket and log; deleted by {@link #close()}. */
    public Path directory() {
        return base;
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** A pool of up to 10 connections to {@value #DATABASE}, closed with the server. */
    public DataSource dataSource() {
        return pool.dataSource();
    }

    /**
     * A pool of its own to {@value #DATABASE} (as a second node would have), closed with the
     * server or earlier by the caller.
     */
    public synchronized Database newPool(int maxConnections) {
        Database db = Database.connect(url(), USER, new char[0], maxConnections);
        pools.add(db);
        return db;
    }

    /** Creates another empty database; returns its URL. */
    public String createDatabase(String name) throws IOException {
        checkArgument(
                name.matches("[a-z][a-z0-9_]*"),
                "a test database name is lower-case letters, digits and _, not %s",
                name);
        try (Connection c = java.sql.DriverManager.getConnection(url("postgres"), USER, "");
                Statement st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (SQLException e) {
            throw new IOException("cannot create database " + name + ": " + e.getMessage() + "\n" + log(), e);
        }
        return url(name);
    }

    /** The server's log so far (for a failing test's message). */
    public String log() {
        try {
            return Files.readString(base.resolve("server.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server at once and deletes its directory. */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs this anyway.
        }
        stopQuietly();
    }

    private synchronized void stopQuietly() {
        if (!running) {
            return;
        }
        running = false;
        for (Database db : pools) {
            db.close();
        }
        try {
            run(binaries, base, asSystemUser, "pg_ctl", List.of("-D", "data", "-m", "immediate", "-w", "stop"));
        } catch (IOException e) {
            System.err.println("PostgresServer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(base);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + url() + ", " + base + "]";
    }

    private static Path findBinaries() throws IOException {
        String chosen = System.getProperty(BIN_PROPERTY, System.getenv("MAILSYNC_PG_BIN"));
        if (chosen != null && !chosen.isBlank()) {
            Path dir = Path.of(chosen);
            if (Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"))) {
                return dir;
            }
            throw new IOException("PostgreSQL's server binaries (initdb, pg_ctl) were not found in " + dir
                    + " (named by -D" + BIN_PROPERTY + " or $MAILSYNC_PG_BIN): run .ci/install-test-deps (it"
                    + " installs Debian's postgresql package) or name the folder that holds them");
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.filter(p ->
                                VERSION_DIR.matcher(p.getFileName().toString()).matches())
                        .map(p -> p.resolve("bin"))
                        .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl")))
                        .max(Comparator.comparingDouble(p ->
                                Double.parseDouble(p.getParent().getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get();
                }
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()
                        && Files.isExecutable(Path.of(dir, "initdb"))
                        && Files.isExecutable(Path.of(dir, "pg_ctl"))) {
                    return Path.of(dir);
                }
            }
        }
        throw new IOException("PostgreSQL's server binaries (initdb, pg_ctl) were not found in $MAILSYNC_PG_BIN,"
                + " under /usr/lib/postgresql/<version>/bin or on PATH: run .ci/install-test-deps (it installs"
                + " Debian's postgresql package); tests that need PostgreSQL fail without it");
    }

    private static Path tempRoot() {
        // The Unix socket's path must stay under about 108 bytes: prefer the short /tmp.
        Path tmp = Path.of("/tmp");
        return Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS) ? tmp : Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static void handToSystemUser(Path base) throws IOException {
        UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view =
                Files.getFileAttributeView(base, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        try {
            view.setOwner(users.lookupPrincipalByName(SYSTEM_USER));
            view.setGroup(users.lookupPrincipalByGroupName(SYSTEM_USER));
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException(
                    "running as root, PostgreSQL must run as the '" + SYSTEM_USER
                            + "' system user, which does not exist: run .ci/install-test-deps (Debian's postgresql"
                            + " package creates it)",
                    e);
        }
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Runs one of the binaries in {@code base}, as the system user if needed; fails with its output. */
    private static void run(Path binaries, Path base, boolean asSystemUser, String tool, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve(tool).toString());
        command.addAll(args);
        ProcessBuilder pb;
        if (asSystemUser) {
            StringBuilder line = new StringBuilder();
            for (String a : command) {
                line.append(line.length() == 0 ? "" : " ")
                        .append('\'')
                        .append(a.replace("'", "'\\''"))
                        .append('\'');
            }
            pb = new ProcessBuilder("su", SYSTEM_USER, "-s", "/bin/sh", "-c", line.toString());
        } else {
            pb = new ProcessBuilder(command);
        }
        // Its own output file: the server started by pg_ctl keeps inherited descriptors open, and a
        // pipe would make this wait for the server's end.
        Path out = Files.createTempFile("mailsync-pg-" + tool, ".out");
        try {
            pb.directory(base.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(tool + " did not finish within 120 s: " + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                String log = Files.exists(base.resolve("server.log"))
                        ? "\nserver log:\n" + Files.readString(base.resolve("server.log"))
                        : "";
                throw new IOException(tool + " " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(out) + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                    for (Path child : children) {
                        deleteTree(child);
                    }
                }
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the test cluster's " + dir, e);
        }
    }
}
