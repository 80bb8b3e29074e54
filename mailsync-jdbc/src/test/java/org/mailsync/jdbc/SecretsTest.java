package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.jdbc.testing.PostgresServer;

class SecretsTest {
    private static final String PASSWORD = "pässwörd-🔑-7f3a";

    private static PostgresServer pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        Schema.migrate(pg.dataSource());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void theKeyFileIsPrivateAndNeverOverwritten() throws Exception {
        Path keyFile = dir.resolve("worker.key");
        SealingKey key = SecretKeys.generate(keyFile);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-------");
        assertThat(SecretKeys.readPublic(SecretKeys.publicKeyFile(keyFile))).isEqualTo(key);
        assertThat(SecretOpener.fromKeyFile(keyFile).publicKey()).isEqualTo(key);
        assertThatThrownBy(() -> SecretKeys.generate(keyFile)).isInstanceOf(FileAlreadyExistsException.class);

        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SecretOpener.fromKeyFile(keyFile))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("others may read it");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        Path link = dir.resolve("link.key");
        Files.createSymbolicLink(link, keyFile);
        assertThatThrownBy(() -> SecretOpener.fromKeyFile(link)).hasMessageContaining("not a regular file");
    }

    @Test
    void aSealedSecretOpensWithItsKeyAndContextOnly() throws Exception {
        Path keyFile = dir.resolve("a.key");
        SealingKey key = SecretKeys.generate(keyFile);
        SecretOpener opener = SecretOpener.fromKeyFile(keyFile);
        SecretSealer sealer = SecretSealer.to(key);

        byte[] sealed = sealer.seal(PASSWORD.toCharArray(), "alice/password");
        assertThat(new String(opener.openChars(sealed, "alice/password"))).isEqualTo(PASSWORD);
        assertThat(opener.open(sealer.seal(new byte[0], "empty"), "empty")).isEmpty();
        // Sealing twice gives different bytes (fresh ephemeral key and nonce), both open.
        assertThat(sealer.seal(PASSWORD.toCharArray(), "alice/password")).isNotEqualTo(sealed);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("7f3a");

        assertThatThrownBy(() -> opener.open(sealed, "bob/password"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("another context");

        Path otherFile = dir.resolve("b.key");
        SecretKeys.generate(otherFile);
        SecretOpener other = SecretOpener.fromKeyFile(otherFile);
        assertThatThrownBy(() -> other.open(sealed, "alice/password"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sealed to key " + key.id());
    }

    @Test
    void everyChangedByteIsRefused() throws Exception {
        Path keyFile = dir.resolve("t.key");
        SealingKey key = SecretKeys.generate(keyFile);
        SecretOpener opener = SecretOpener.fromKeyFile(keyFile);
        byte[] sealed = SecretSealer.to(key).seal(PASSWORD.toCharArray(), "ctx");
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            int at = i;
            assertThatThrownBy(() -> opener.open(tampered, "ctx"))
                    .as("byte %d changed", at)
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        }
        assertThatThrownBy(() -> opener.open(java.util.Arrays.copyOf(sealed, sealed.length - 1), "ctx"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void theDatabaseHoldsSecretsSealedAndARowMovedToAnotherAccountDoesNotOpen() throws Exception {
        Path keyFile = dir.resolve("db.key");
        SealingKey key = SecretKeys.generate(keyFile);
        AccountSecrets secrets = AccountSecrets.over(pg.dataSource());
        secrets.publishKey(key);
        // The enqueuer knows only the database: it seals to the published key.
        SecretSealer sealer = SecretSealer.to(secrets.publishedKey().orElseThrow());
        secrets.put("alice@example.org", AccountSecrets.Kind.PASSWORD, PASSWORD.toCharArray(), sealer);
        secrets.put("master:legacy.example.org", AccountSecrets.Kind.MASTER_PASSWORD, "admin-pw".toCharArray(), sealer);
        secrets.put("bob@example.org", AccountSecrets.Kind.OAUTH_TOKEN, "ya29.token".toCharArray(), sealer);

        try (Connection c = pg.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select encode(sealed, 'escape') from mailsync_account_secret")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).doesNotContain("7f3a", "admin-pw", "ya29");
            }
        }
        SecretOpener worker = SecretOpener.fromKeyFile(keyFile);
        assertThat(secrets.open("alice@example.org", AccountSecrets.Kind.PASSWORD, worker))
                .hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo(PASSWORD));
        assertThat(secrets.open("master:legacy.example.org", AccountSecrets.Kind.MASTER_PASSWORD, worker))
                .hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("admin-pw"));
        assertThat(secrets.open("alice@example.org", AccountSecrets.Kind.OAUTH_TOKEN, worker))
                .isEmpty();

        // Someone with write access to the table copies Bob's token over Alice's password.
        try (Connection c = pg.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("update mailsync_account_secret set sealed = (select sealed from mailsync_account_secret"
                    + " where account = 'bob@example.org') where account = 'alice@example.org'");
        }
        assertThatThrownBy(() -> secrets.open("alice@example.org", AccountSecrets.Kind.PASSWORD, worker))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("password of alice@example.org cannot be opened");
        assertThat(secrets.deleteAll("alice@example.org")).isEqualTo(1);
        assertThat(secrets.has("alice@example.org", AccountSecrets.Kind.PASSWORD))
                .isFalse();
        assertThat(sealer.toString() + worker + secrets + key).doesNotContain(PASSWORD);
    }
}
