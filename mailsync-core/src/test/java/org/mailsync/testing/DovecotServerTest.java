package org.mailsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The harness itself: a started Dovecot answers IMAP and accepts the user the test added. */
class DovecotServerTest {
    @Test
    void startedDovecotAcceptsAddedUserAndRefusesWrongPassword() throws Exception {
        try (DovecotServer dovecot = DovecotServer.start()) {
            dovecot.addUser("alice", "s3cret");
            assertThat(login(dovecot, "alice", "s3cret")).startsWith("a OK");
            assertThat(login(dovecot, "alice", "wrong")).startsWith("a NO");
        }
    }

    private static String login(DovecotServer dovecot, String user, String password) throws Exception {
        try (Socket socket = new Socket(dovecot.host(), dovecot.port())) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("* OK");
            out.write(("a LOGIN " + user + " " + password + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("a ")) {
                // untagged lines
            }
            return String.valueOf(line);
        }
    }
}
