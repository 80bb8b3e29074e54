package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * Memory stays bounded whatever a server announces: a FETCH literal of 2 GB and an APPENDUID range
 * of four billion UIDs, each tried in a JVM of its own with a 64 MB heap, where allocating what
 * was announced ends in an OutOfMemoryError.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileMemoryTest {
    /** A server whose UID 1 is small by RFC822.SIZE and whose body FETCH announces 2 GB, then stalls. */
    private static HostileImapServer hugeLiteral() throws IOException {
        HostileImapServer server = new HostileImapServer();
        server.uidNext = 2;
        return server.on("UID FETCH", (s, c) -> {
            if (c.line().contains("RFC822.SIZE")) {
                s.send("* 1 FETCH (UID 1 RFC822.SIZE 100)");
                s.send(c.tag() + " OK FETCH completed");
            } else {
                s.sendBytes("* 1 FETCH (UID 1 BODY[] {2000000000}\r\n".getBytes(StandardCharsets.US_ASCII));
                s.sendBytes(new byte[8192]);
                s.hang();
            }
            return true;
        });
    }

    private static HostileImapServer hugeAppendUid() throws IOException {
        return new HostileImapServer().on("APPEND", (s, c) -> {
            s.send(c.tag() + " OK [APPENDUID 42 1:4000000000] APPEND completed");
            return true;
        });
    }

    /** Runs {@link Probe} in a JVM with a 64 MB heap against the server; returns its output. */
    private static String probe(HostileImapServer server, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Probe.class.getName(),
                        Integer.toString(server.port()),
                        mode)
                .redirectErrorStream(true)
                .start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the probe did not finish within 90 s");
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aTwoGigabyteLiteralIsAProtocolErrorNotAnAllocation() throws Exception {
        try (HostileImapServer server = hugeLiteral()) {
            String output = probe(server, "literal");
            assertThat(output)
                    .contains("RESULT org.mailsync.StoreFailureException")
                    .contains("announced a literal of 2000000000 bytes")
                    .doesNotContain("OutOfMemoryError");
        }
    }

    @Test
    void aFourBillionUidAppendUidIsNotTrustedAndAllocatesNothing() throws Exception {
        try (HostileImapServer server = hugeAppendUid()) {
            String output = probe(server, "appenduid");
            assertThat(output).contains("RESULT Optional.empty").doesNotContain("OutOfMemoryError");
        }
    }

    @Test
    void aLiteralAboveTheConfiguredBoundIsRefusedInThisJvmToo() throws Exception {
        try (HostileImapServer server = hugeLiteral();
                ImapStore store = server.storeBuilder()
                        .password("pw".toCharArray())
                        .maxResponseSize(1 << 20)
                        .connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThatThrownBy(() -> inbox.readAll(List.of(MessageUid.of(1)), (uid, raw) -> raw.close()))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("the most this store accepts in one response is 1048576 bytes");
        }
    }

    /** The client side of the probe, in a JVM of its own: prints {@code RESULT} and what happened. */
    public static final class Probe {
        private Probe() {}

        public static void main(String[] args) {
            ImapStore.Builder builder = ImapStore.builder()
                    .host("127.0.0.1")
                    .port(Integer.parseInt(args[0]))
                    .security(Security.NONE)
                    .username("anna")
                    .password("pw".toCharArray())
                    .readTimeout(java.time.Duration.ofSeconds(30))
                    .retry(RetryPolicy.NONE);
            try (ImapStore store = builder.connect();
                    MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                if (args[1].equals("literal")) {
                    List<Long> sizes = new ArrayList<>();
                    inbox.readAll(List.of(MessageUid.of(1)), (uid, raw) -> sizes.add(raw.size()));
                    System.out.println("RESULT read " + sizes);
                } else {
                    RawMessage message = RawMessage.of("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
                    System.out.println("RESULT " + inbox.append(new AppendRequest(message, Flags.NONE, Instant.EPOCH)));
                }
            } catch (Throwable t) {
                System.out.println("RESULT " + t);
            }
            System.out.flush();
            Runtime.getRuntime().halt(0); // the hostile server may hold a connection open
        }
    }
}
