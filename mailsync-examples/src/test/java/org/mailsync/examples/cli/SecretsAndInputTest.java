package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets typed in the wrong place never come back in an error, and batch input as users write
 * it (UTF-16 spreadsheets, e-mail addresses as logins, duplicate lines) is read or refused clearly.
 */
@Timeout(60)
class SecretsAndInputTest {
    private static final String SECRET = "s3cret";

    @TempDir
    Path home;

    private CliRun mailsync(String... args) throws InterruptedException {
        return CliRun.run(home, Map.of(), args);
    }

    private static void assertNoSecret(CliRun run, String... secrets) {
        for (String secret : secrets) {
            assertThat(run.out() + run.err()).as(run.toString()).doesNotContain(secret);
        }
    }

    @Test
    void aPasswordInAMalformedUriIsNeverEchoed() throws Exception {
        String target = "maildir:" + home.resolve("t");
        for (String uri : List.of(
                "imaps://anna:" + SECRET + "@host.example",
                "imaps://anna:" + SECRET + " x@host.example", // does not parse as a URI at all
                "imaps://anna:" + SECRET + "@", // no host
                "imaps://anna@" + SECRET + "!host", // not a host name
                "imaps://anna@host.example:" + SECRET, // not a port
                "imap:/anna:" + SECRET + "@host.example", // not a store
                SECRET)) {
            CliRun run = mailsync("migrate", uri, target, "--target-password-env", "X");
            assertThat(run.code()).as(uri + "\n" + run).isEqualTo(ExitCode.USAGE.code);
            assertNoSecret(run, SECRET);
        }
    }

    @Test
    void aSecretTypedWhereAFileOrVariableNameBelongsIsNeverEchoed() throws Exception {
        String source = "imap://anna@127.0.0.1:1";
        String target = "maildir:" + home.resolve("t");

        CliRun file = mailsync("migrate", source, target, "--source-password-file", SECRET);
        assertThat(file.code()).as(file.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(file.err()).contains("the file given to --source-password-file does not exist");
        assertNoSecret(file, SECRET);

        CliRun env = mailsync("migrate", source, target, "--source-password-env", SECRET);
        assertThat(env.code()).as(env.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(env.err()).contains("--source-password-env is not set");
        assertNoSecret(env, SECRET);

        CliRun csv = mailsync("batch", SECRET, "--source", "old.example", "--target", "new.example");
        assertThat(csv.code()).as(csv.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(csv.err()).contains("the CSV file given to batch does not exist");
        assertNoSecret(csv, SECRET);

        CliRun token = mailsync("migrate", source, target, "--source-oauth2-token-file=" + SECRET);
        assertThat(token.code()).as(token.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(token.err()).contains("--source-oauth2-token-file does not exist");
        assertNoSecret(token, SECRET);
    }

    @Test
    void aShiftedCsvLineIsRefusedByLineAndColumnBeforeAnyConnectionIsMade() throws Exception {
        // A local server that counts the connections it gets: there must be none, not even for
        // the valid first line, because the whole file is checked before anything runs.
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                        s.getOutputStream().flush();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String local = "imap://127.0.0.1:" + server.getLocalPort();
            for (String shifted : List.of(
                    "anna,pa,ss#w0rd,anna,neu-pw\n", // the tail of a password in the host column
                    "anna,pw,anna,new-pw,s3c#ret.example\n" // not a host name at all
                    )) {
                Path csv = Files.writeString(home.resolve("a.csv"), "bernd,pw1,bernd,pw2\n" + shifted);

                CliRun run = mailsync("batch", csv.toString(), "--source", local, "--target", local, "--preflight");

                assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
                assertThat(run.err()).contains("line 2, column 5 (source host)");
                assertNoSecret(run, "ss#w0rd", "neu-pw", "s3c#ret", "pw1", "pw2");
            }
        }
        assertThat(connections.get()).isZero();
    }

    @Test
    void fieldErrorsNameTheLineAndColumnOnly() {
        StoreSpec server = StoreSpec.server("imaps://old.example", "imaps");
        // A header with four columns: a line with five has a separator inside a field.
        assertThatThrownBy(() -> BatchFile.parse("user,password,user,password\nanna,se,cret,anna,x\n", server, server))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("line 2: expected 4 to 4 fields")
                .hasMessageNotContaining("cret");
        assertThatThrownBy(() -> BatchFile.parse("anna,pw,anna,pw,\"se cret\"\n", server, server))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("line 1, column 5")
                .hasMessageNotContaining("cret");
    }

    @Test
    void utf16CsvFilesWithAByteOrderMarkAreRead() throws Exception {
        String text = "jürgen,pässwort,jürgen,neu\r\n";
        StoreSpec old = StoreSpec.server("old.example", "imaps");
        for (var charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            byte[] bom = charset == StandardCharsets.UTF_16LE
                    ? new byte[] {(byte) 0xFF, (byte) 0xFE}
                    : new byte[] {(byte) 0xFE, (byte) 0xFF};
            byte[] body = text.getBytes(charset);
            byte[] all = new byte[bom.length + body.length];
            System.arraycopy(bom, 0, all, 0, 2);
            System.arraycopy(body, 0, all, 2, body.length);
            Path file = Files.write(home.resolve("u.csv"), all);

            List<BatchFile.Account> accounts = BatchFile.parse(BatchFile.read(file, null), old, old);

            assertThat(accounts).as(charset.name()).hasSize(1);
            assertThat(accounts.get(0).source().user()).isEqualTo("jürgen");
            assertThat(new String(accounts.get(0).sourcePassword())).isEqualTo("pässwort");
        }
        // Without a BOM: said so, with what to do.
        Path noBom = Files.write(home.resolve("n.csv"), text.getBytes(StandardCharsets.UTF_16LE));
        assertThatThrownBy(() -> BatchFile.read(noBom, null))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("UTF-16");
    }

    @Test
    void aLoginThatIsAnEmailAddressIsAcceptedWithOrWithoutPercentForty() {
        for (String uri :
                List.of("imap://anna@example.com@mail.example:1143", "imap://anna%40example.com@mail.example:1143")) {
            StoreSpec spec = StoreSpec.parse(uri);
            assertThat(spec.user()).as(uri).isEqualTo("anna@example.com");
            assertThat(spec.host()).isEqualTo("mail.example");
            assertThat(spec.port()).isEqualTo(1143);
            assertThat(spec.canonical()).isEqualTo("imap://anna%40example.com@mail.example:1143");
        }
        assertThat(StoreSpec.parse("imaps://anna@[::1]").canonical()).isEqualTo("imaps://anna@[::1]:993");
        assertThat(StoreSpec.parse("imaps://anna@Mail.Example/").host()).isEqualTo("mail.example");
    }

    @Test
    void aBatchListingOneAccountTwiceIsRefusedWithBothLines() {
        StoreSpec old = StoreSpec.server("old.example", "imaps");
        StoreSpec neu = StoreSpec.server("new.example", "imaps");
        assertThatThrownBy(() -> BatchFile.parse("anna,a,anna,b\nbernd,c,bernd,d\nAnna,e,carla,f\n", old, neu))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("lines 1 and 3 name the same source account imaps://")
                .hasMessageContaining("@old.example:993");
        assertThatThrownBy(() -> BatchFile.parse("anna,a,anna,b\nbernd,c,anna,d\n", old, neu))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("lines 1 and 2 name the same target account");
    }
}
