package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS that cannot be had is a connection failure (exit 4), never a refused login (exit 3): a TLS
 * handshake with a server that speaks plain text, and a STARTTLS answered with NO (issue 12.5).
 */
@Timeout(120)
class TlsFailureExitCodeTest {
    @TempDir
    Path home;

    /** A scripted IMAP server: greets in plain text, offers STARTTLS, refuses it; logs in nobody. */
    private static Thread serve(ServerSocket server) {
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(20_000);
                    OutputStream out = s.getOutputStream();
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    out.write("* OK IMAP4rev1 scripted server ready\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String line;
                    while ((line = in.readLine()) != null) {
                        String[] parts = line.split(" ", 3);
                        String tag = parts[0];
                        String command = parts.length > 1 ? parts[1].toUpperCase(java.util.Locale.ROOT) : "";
                        String answer =
                                switch (command) {
                                    case "CAPABILITY" -> "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n" + tag
                                            + " OK done\r\n";
                                    case "STARTTLS" -> tag + " NO STARTTLS is not available today\r\n";
                                    case "LOGOUT" -> "* BYE\r\n" + tag + " OK bye\r\n";
                                    case "LOGIN", "AUTHENTICATE" -> tag + " NO [AUTHENTICATIONFAILED] wrong\r\n";
                                    default -> tag + " BAD unknown\r\n";
                                };
                        out.write(answer.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        if (command.equals("LOGOUT")) {
                            break;
                        }
                    }
                } catch (Exception e) {
                    // next connection
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private CliRun migrate(String source) throws Exception {
        Path pw = Files.writeString(home.resolve("pw"), "secret\n");
        return CliRun.run(
                home,
                Map.of(),
                "migrate",
                source,
                "maildir:" + home.resolve("target"),
                "--source-password-file",
                pw.toString());
    }

    @Test
    void aTlsHandshakeWithAPlainTextServerIsExitFour() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            serve(server);

            CliRun run = migrate("imaps://anna@127.0.0.1:" + server.getLocalPort());

            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.CONNECTION.code);
        }
    }

    @Test
    void aStarttlsAnsweredWithNoIsExitFourNotARefusedLogin() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            serve(server);

            CliRun run = migrate("imap+starttls://anna@127.0.0.1:" + server.getLocalPort());

            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.CONNECTION.code);
            assertThat(run.err()).doesNotContain("wrong user or password");
        }
    }
}
