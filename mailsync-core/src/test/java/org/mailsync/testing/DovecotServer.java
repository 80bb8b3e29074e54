package org.mailsync.testing;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Dovecot (Debian's {@code dovecot-imapd}) started for a test as its own instance: its own
 * config, base and state directories, log and passwd-file in a short temp directory, listening on
 * a free loopback port. Started as root it runs mail processes as the {@code mailsync-test} user
 * that {@code .ci/install-test-deps} creates; as another user it runs rootless.
 *
 * <p>When Dovecot is not installed, {@link #start} fails with what to run: a test that needs it
 * must fail, never skip. Not thread-safe; confine to one thread.
 */
public final class DovecotServer implements AutoCloseable {
    private static final String BINARY = "/usr/sbin/dovecot";
    private static final String MAIL_USER = "mailsync-test";

    private final Path dir;
    private final Path config;
    private final Path users;
    private final int port;
    private final int tlsPort;
    private final int pop3Port;
    private final int pop3sPort;
    private final int uid;
    private final int gid;
    private boolean running;

    private DovecotServer(Path dir, int port, int tlsPort, int uid, int gid) {
        this.dir = dir;
        this.config = dir.resolve("dovecot.conf");
        this.users = dir.resolve("users");
        this.port = port;
        this.tlsPort = tlsPort;
        this.pop3Port = freePortUnchecked();
        this.pop3sPort = freePortUnchecked();
        this.uid = uid;
        this.gid = gid;
    }

    /** Options for the instance; defaults give a plain Maildir++ server. Immutable. */
    public record Options(
            String mailLocation,
            String namespacePrefix,
            char separator,
            String extraConfig,
            boolean tls,
            boolean pop3) {
        /** Maildir++ under each user's home, no namespace prefix, separator {@code .}. */
        public static Options defaults() {
            return new Options("maildir:~/Maildir", "", '.', "", false, false);
        }

        public Options withMailLocation(String location) {
            return new Options(location, namespacePrefix, separator, extraConfig, tls, pop3);
        }

        /** The personal namespace's prefix ({@code "INBOX."}) and separator. */
        public Options withNamespace(String prefix, char sep) {
            return new Options(mailLocation, prefix, sep, extraConfig, tls, pop3);
        }

        /** Lines appended to the config, e.g. {@code imap_capability = ...}. */
        public Options withExtraConfig(String lines) {
            return new Options(mailLocation, namespacePrefix, separator, extraConfig + "\n" + lines, tls, pop3);
        }

        /**
         * The quota plugin (count backend) with this rule for every user, e.g. {@code storage=20M}
         * or {@code messages=5}; IMAP then offers QUOTA and answers GETQUOTAROOT (RFC 9208).
         */
        public Options withQuota(String rule) {
            return withExtraConfig("mail_plugins = $mail_plugins quota\n"
                    + "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n"
                    + "plugin {\n  quota = count:User quota\n  quota_rule = *:" + rule + "\n"
                    + "  quota_vsizes = yes\n}");
        }

        /** Turns on TLS (port {@link #tlsPort()}) and STARTTLS with a fresh self-signed certificate. */
        public Options withTls() {
            return new Options(mailLocation, namespacePrefix, separator, extraConfig, true, pop3);
        }

        /** Turns on POP3 ({@link #pop3Port()}; with TLS also POP3S on {@link #pop3sPort()}). */
        public Options withPop3() {
            return new Options(mailLocation, namespacePrefix, separator, extraConfig, tls, true);
        }
    }

    /** Starts an instance with default options. */
    public static DovecotServer start() throws IOException {
        return start(Options.defaults());
    }

    /** Starts an instance; fails with what to install when Dovecot is missing. */
    public static DovecotServer start(Options options) throws IOException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException("Dovecot is not installed (" + BINARY + " missing): this test needs a"
                    + " real Dovecot. Run .ci/install-test-deps (apt-get install dovecot-imapd) first.");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        int uid = root ? idOf("-u") : idOf("-u", "");
        int gid = root ? idOf("-g") : idOf("-g", "");
        // Unix socket paths are limited to ~108 bytes: keep the base directory short.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "dv");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        DovecotServer server = new DovecotServer(dir, freePort(), freePort(), uid, gid);
        server.writeConfig(options, root);
        server.launch();
        return server;
    }

    private static int idOf(String flag) throws IOException {
        return idOf(flag, MAIL_USER);
    }

    private static int idOf(String flag, String user) throws IOException {
        List<String> command = new ArrayList<>(List.of("id", flag));
        if (!user.isEmpty()) {
            command.add(user);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("no user " + user + " for Dovecot's mail processes (" + out
                        + "): run .ci/install-test-deps first");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return Integer.parseInt(out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int freePortUnchecked() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConfig(Options options, boolean root) throws IOException {
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("home"));
        if (root) {
            chown(dir.resolve("home"));
        }
        Files.writeString(users, "");
        StringBuilder c = new StringBuilder();
        c.append("base_dir = ").append(dir.resolve("run")).append('\n');
        c.append("state_dir = ").append(dir.resolve("state")).append('\n');
        c.append("log_path = ").append(dir.resolve("dovecot.log")).append('\n');
        c.append(options.pop3() ? "protocols = imap pop3\n" : "protocols = imap\n");
        c.append("listen = 127.0.0.1\n");
        c.append("auth_mechanisms = plain login\n");
        c.append("disable_plaintext_auth = no\n");
        c.append("mail_location = ").append(options.mailLocation()).append('\n');
        c.append("mail_max_userip_connections = 200\n");
        c.append("first_valid_uid = ").append(Math.min(uid, 1)).append('\n');
        c.append("first_valid_gid = ").append(Math.min(gid, 1)).append('\n');
        c.append("auth_master_user_separator = *\n");
        c.append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ")
                .append(dir.resolve("masters"))
                .append("\n  master = yes\n}\n");
        Files.writeString(dir.resolve("masters"), "");
        c.append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ")
                .append(users)
                .append("\n}\n");
        c.append("userdb {\n  driver = passwd-file\n  args = username_format=%u ")
                .append(users)
                .append("\n}\n");
        c.append("namespace inbox {\n  inbox = yes\n  prefix = ")
                .append(options.namespacePrefix())
                .append("\n  separator = ")
                .append(options.separator())
                .append('\n');
        for (String[] special : new String[][] {
            {"Sent", "\\Sent"},
            {"Drafts", "\\Drafts"},
            {"Trash", "\\Trash"},
            {"Junk", "\\Junk"},
            {"Archive", "\\Archive"}
        }) {
            c.append("  mailbox ")
                    .append(special[0])
                    .append(" {\n    special_use = ")
                    .append(special[1])
                    .append("\n  }\n");
        }
        c.append("}\n");
        c.append("service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ")
                .append(port)
                .append("\n  }\n  inet_listener imaps {\n    address = 127.0.0.1\n    port = ")
                .append(options.tls() ? tlsPort : 0)
                .append("\n    ssl = yes\n  }\n}\n");
        if (options.pop3()) {
            c.append("service pop3-login {\n  inet_listener pop3 {\n    address = 127.0.0.1\n    port = ")
                    .append(pop3Port)
                    .append("\n  }\n  inet_listener pop3s {\n    address = 127.0.0.1\n    port = ")
                    .append(options.tls() ? pop3sPort : 0)
                    .append("\n    ssl = yes\n  }\n}\n");
        } else {
            c.append("service pop3-login {\n  inet_listener pop3 {\n    port = 0\n  }\n}\n");
        }
        c.append("service lmtp {\n  unix_listener lmtp {\n    mode = 0600\n  }\n}\n");
        if (options.tls()) {
            writeCertificate();
            c.append("ssl = yes\nssl_cert = <")
                    .append(dir.resolve("cert.pem"))
                    .append("\nssl_key = <")
                    .append(dir.resolve("key.pem"))
                    .append('\n');
        } else {
            c.append("ssl = no\n");
        }
        if (!root) {
            c.append("default_login_user = ")
                    .append(System.getProperty("user.name"))
                    .append('\n');
            c.append("default_internal_user = ")
                    .append(System.getProperty("user.name"))
                    .append('\n');
        }
        c.append(options.extraConfig()).append('\n');
        Files.writeString(config, c.toString());
    }

    private void writeCertificate() throws IOException {
        run(List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
                dir.resolve("key.pem").toString(),
                "-out",
                dir.resolve("cert.pem").toString()));
    }

    private void launch() throws IOException {
        Path log = dir.resolve("launch.log");
        // Dovecot keeps the caller's stdout/stderr open: send them to a file, or the caller hangs.
        Process p = new ProcessBuilder(BINARY, "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("Dovecot did not start: " + Files.readString(log) + readLog());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        running = true;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        close();
        throw new IOException("Dovecot did not listen on port " + port + ": " + readLog());
    }

    /** Adds a user (or changes its password); takes effect at once. Returns the user's home. */
    public Path addUser(String user, String password) throws IOException {
        Path home = dir.resolve("home").resolve(user);
        Files.createDirectories(home);
        chownIfRoot(home);
        String line = user + ":{PLAIN}" + password + ":" + uid + ":" + gid + "::" + home + "::\n";
        Files.writeString(users, line, StandardOpenOption.APPEND);
        return home;
    }

    /** Adds a master user: {@code user*master} with the master's password logs in as user. */
    public void addMasterUser(String master, String password) throws IOException {
        Files.writeString(dir.resolve("masters"), master + ":{PLAIN}" + password + "\n", StandardOpenOption.APPEND);
    }

    /** The home directory of a user added with {@link #addUser}. */
    public Path home(String user) {
        return dir.resolve("home").resolve(user);
    }

    /** Gives a path (recursively) to Dovecot's mail user, when running as root. */
    public void chownIfRoot(Path path) throws IOException {
        if ("root".equals(System.getProperty("user.name"))) {
            run(List.of("chown", "-R", uid + ":" + gid, path.toString()));
        }
    }

    private void chown(Path path) throws IOException {
        run(List.of("chown", uid + ":" + gid, path.toString()));
    }

    /** Runs {@code doveadm} against this instance and returns its output; fails on a non-zero exit. */
    public String doveadm(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("doveadm", "-c", config.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The plain IMAP port (STARTTLS is offered there when TLS is on). */
    public int port() {
        return port;
    }

    /** The implicit-TLS port; only with {@link Options#withTls()}. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The POP3 port (STLS is offered there when TLS is on); only with {@link Options#withPop3()}. */
    public int pop3Port() {
        return pop3Port;
    }

    /** The POP3S (implicit TLS) port; only with {@link Options#withPop3()} and {@link Options#withTls()}. */
    public int pop3sPort() {
        return pop3sPort;
    }

    /** The self-signed certificate (PEM); only with {@link Options#withTls()}. */
    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    /** The directory holding config, homes and logs. */
    public Path directory() {
        return dir;
    }

    /** Dovecot's log so far, for failure messages. */
    public String readLog() {
        try {
            Path log = dir.resolve("dovecot.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the instance (and waits for its master process to go). */
    @Override
    public void close() throws IOException {
        checkState(Files.exists(config), "no config");
        if (!running) {
            return;
        }
        running = false;
        Path pidFile = dir.resolve("run").resolve("master.pid");
        String pid = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
        try {
            run(List.of(BINARY, "-c", config.toString(), "stop"));
        } catch (IOException e) {
            if (!pid.isEmpty()) {
                run(List.of("kill", pid));
            }
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!pid.isEmpty()
                && Files.exists(Path.of("/proc", pid))
                && Instant.now().isBefore(deadline)) {
            sleep(20);
        }
    }
}
