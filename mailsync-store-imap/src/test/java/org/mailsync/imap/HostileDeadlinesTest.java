package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.ConnectionException;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * Servers that never greet, stop mid-literal, drip one byte at a time, stop reading, or fail
 * forever: each ends in a {@link ConnectionException} within its deadline, with short settings so
 * that each case takes seconds. The read timeout stays long (30 s) throughout, to show that it is
 * not what ends them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileDeadlinesTest {
    private static final Duration LONG_READ_TIMEOUT = Duration.ofSeconds(30);

    /** Plain text, user anna; the read timeout and retry policy are each test's. */
    private static ImapStore.Builder builder(HostileImapServer server) {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Security.NONE)
                .username("anna")
                .password("pw".toCharArray());
    }

    private static ImapStore.Builder patient(HostileImapServer server) {
        return builder(server).readTimeout(LONG_READ_TIMEOUT).retry(RetryPolicy.NONE);
    }

    /** A server whose UID 1 has 5000 bytes; its body FETCH sends the start and then calls {@code rest}. */
    private static HostileImapServer fetching(HostileImapServer.Handler rest) throws IOException {
        HostileImapServer server = new HostileImapServer();
        server.uidNext = 2;
        return server.on("UID FETCH", (s, c) -> {
            if (c.line().contains("RFC822.SIZE")) {
                s.send("* 1 FETCH (UID 1 RFC822.SIZE 5000)");
                s.send(c.tag() + " OK FETCH completed");
                return true;
            }
            s.sendBytes("* 1 FETCH (UID 1 BODY[] {5000}\r\n".getBytes(StandardCharsets.US_ASCII));
            return rest.answer(s, c);
        });
    }

    private static void readFirst(ImapStore store) throws Exception {
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            inbox.readAll(List.of(MessageUid.of(1)), (uid, raw) -> raw.close());
        }
    }

    @Test
    void aServerThatNeverGreetsFailsAfterTheGreetingTimeout() throws Exception {
        try (HostileImapServer server = new HostileImapServer().neverGreet()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> patient(server)
                            .greetingTimeout(Duration.ofSeconds(1))
                            .connect())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("greeting");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aServerThatStopsMidLiteralFailsAfterTheStallTimeout() throws Exception {
        try (HostileImapServer server = fetching((s, c) -> {
                    s.sendBytes(new byte[100]);
                    s.hang();
                    return true;
                });
                ImapStore store =
                        patient(server).stallTimeout(Duration.ofSeconds(2)).connect()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> readFirst(store))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("stalled");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void aServerThatDripsOneByteAtATimeFailsWhateverTheDrip() throws Exception {
        try (HostileImapServer server = fetching((s, c) -> {
                    for (int i = 0; i < 5000; i++) {
                        s.sendBytes(new byte[] {'x'});
                        Thread.sleep(200);
                    }
                    s.send(")");
                    s.send(c.tag() + " OK FETCH completed");
                    return true;
                });
                ImapStore store = builder(server)
                        .retry(RetryPolicy.NONE)
                        .readTimeout(Duration.ofSeconds(1)) // each byte comes well within it
                        .stallTimeout(Duration.ofSeconds(2))
                        .connect()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> readFirst(store))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("stalled");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void retriesEndAtTheOperationDeadline() throws Exception {
        HostileImapServer server = new HostileImapServer();
        server.on("SELECT", (s, c) -> {
            if (c.line().contains("Archive")) {
                throw new IOException("drop the connection"); // the session ends, the socket closes
            }
            return false;
        });
        try (server;
                ImapStore store = builder(server)
                        .readTimeout(LONG_READ_TIMEOUT)
                        .retry(new RetryPolicy(1000, Duration.ofMillis(100), Duration.ofMillis(100)))
                        .operationDeadline(Duration.ofSeconds(2))
                        .connect()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("Archive")))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("operation deadline");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aServerThatStopsReadingAnAppendFailsAfterTheStallTimeout() throws Exception {
        try (HostileImapServer server = new HostileImapServer().hangOnLiteralsAbove(1 << 20);
                ImapStore store =
                        patient(server).stallTimeout(Duration.ofSeconds(2)).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            byte[] big = new byte[64 << 20]; // far more than the socket buffers hold
            long start = System.nanoTime();
            assertThatThrownBy(() -> inbox.append(new AppendRequest(RawMessage.of(big), Flags.NONE, Instant.EPOCH)))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("stopped reading");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
