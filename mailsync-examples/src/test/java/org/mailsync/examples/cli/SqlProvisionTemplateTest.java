package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The SQL user table template ({@code templates/provision/sql-user-table.sh}) against a real,
 * throwaway PostgreSQL 15 (started here on a loopback port, as BUILD-NOTES.md describes): a good
 * account is inserted with a bcrypt hash Dovecot reads, values with quotes go in as literals, a weak
 * password and a row the table refuses fail with a reason that never holds the password, and check
 * mode writes nothing.
 */
@Tag("postgresql")
class SqlProvisionTemplateTest {
    private static final Path TEMPLATE =
            Path.of("templates/provision/sql-user-table.sh").toAbsolutePath();
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static Path dir;
    private static int port;

    @BeforeAll
    static void startPostgres() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (" + BIN + "/initdb missing): run"
                    + " .ci/install-test-deps first");
        }
        dir = Files.createTempDirectory(Path.of("/tmp"), "pg");
        port = freePort();
        if (root()) {
            run(List.of("chown", "postgres", dir.toString()));
        }
        asPostgres(BIN.resolve("initdb") + " -D " + dir.resolve("data") + " -U postgres -A trust");
        asPostgres(BIN.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -l " + dir.resolve("log") + " -o '-p "
                + port + " -k " + dir + " -c listen_addresses=127.0.0.1' -w start");
        psql("CREATE EXTENSION pgcrypto;"
                + " CREATE TABLE mail_users (username text PRIMARY KEY CHECK (username <> 'root'),"
                + " password text NOT NULL, display_name text NOT NULL DEFAULT '', quota text NOT NULL DEFAULT '',"
                + " aliases text NOT NULL DEFAULT '', forward_to text NOT NULL DEFAULT '');");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (dir != null) {
            asPostgres(BIN.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -m fast -w stop");
            run(List.of("rm", "-rf", dir.toString()));
        }
    }

    @Test
    void theTemplateInsertsAccountsAsLiteralsAndRefusesWhatThePolicyOrTheTableRefuses() throws Exception {
        ProvisionCommand command = new ProvisionCommand("sh " + TEMPLATE, Duration.ofSeconds(30), env());

        ProvisionCommand.Result created = command.run(
                account("anna", "Anna-Neu-2024!x", "O'Brien; DROP TABLE mail_users; --", "a1@x, a2@x"),
                ProvisionCommand.Mode.CREATE);
        assertThat(created.accepted()).as(created.reason()).isTrue();
        assertThat(psql("SELECT display_name, aliases FROM mail_users WHERE username = 'anna'"))
                .isEqualTo("O'Brien; DROP TABLE mail_users; --|a1@x, a2@x");
        // The hash is bcrypt behind Dovecot's scheme prefix, and it matches the password.
        assertThat(psql("SELECT password LIKE '{BLF-CRYPT}$2a$%' AND substr(password, 12) ="
                        + " crypt('Anna-Neu-2024!x', substr(password, 12)) FROM mail_users WHERE username = 'anna'"))
                .isEqualTo("t");

        ProvisionCommand.Result weak = command.run(account("bert", "kurz1", "", ""), ProvisionCommand.Mode.CREATE);
        assertThat(weak.reason()).isEqualTo("password of bert refused: 5 characters, the policy asks for at least 12");

        ProvisionCommand.Result refusedByTable =
                command.run(account("root", "Root-Neu-2024!z", "", ""), ProvisionCommand.Mode.CREATE);
        assertThat(refusedByTable.accepted()).isFalse();
        assertThat(refusedByTable.reason()).contains("check constraint").doesNotContain("Root-Neu-2024!z");

        ProvisionCommand.Result checked =
                command.run(account("carl", "Carl-Neu-2024!y", "", ""), ProvisionCommand.Mode.CHECK);
        assertThat(checked.accepted()).as(checked.reason()).isTrue();
        assertThat(psql("SELECT count(*) FROM mail_users")).isEqualTo("1");
    }

    private static BatchFile.Account account(String user, String password, String display, String aliases) {
        String csv = "source user,source password,target user,target password,Display name,Aliases\n"
                + user + ",old," + user + ",\"" + password + "\",\"" + display.replace("\"", "\"\"") + "\",\""
                + aliases + "\"\n";
        return BatchFile.parse(csv, StoreSpec.server("old.example", "imaps"), StoreSpec.server("new.example", "imaps"))
                .get(0);
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("PGHOST", "127.0.0.1");
        env.put("PGPORT", String.valueOf(port));
        env.put("PGUSER", "postgres");
        env.put("PGDATABASE", "postgres");
        return env;
    }

    private static String psql(String sql) throws Exception {
        return run(List.of(
                        "psql",
                        "-X",
                        "-q",
                        "-t",
                        "-A",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(port),
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "-c",
                        sql))
                .strip();
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void asPostgres(String command) throws Exception {
        run(root() ? List.of("su", "postgres", "-s", "/bin/sh", "-c", command) : List.of("/bin/sh", "-c", command));
    }

    private static String run(List<String> command) throws Exception {
        Path log = Files.createTempFile("pg-run", ".log");
        try {
            // Output to a file: pg_ctl's server keeps the caller's streams open.
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(
                        String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
            }
            return Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.delete(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
