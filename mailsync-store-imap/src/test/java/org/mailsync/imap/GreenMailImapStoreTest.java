package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.TestMessages;

/** Logins, the connection cap, secrets kept out of errors and logs, and parallel copying, on GreenMail. */
class GreenMailImapStoreTest {
    static {
        GreenMailQuirks.keepRawHeaderBytes();
    }

    private static final String PASSWORD = "Very-Secret-Password-314";
    private static final Instant DATE = Instant.parse("2022-02-02T02:02:02Z");

    @RegisterExtension
    final GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @BeforeEach
    void user() {
        greenMail.setUser("bob@example.org", "bob", PASSWORD);
    }

    private ImapStore.Builder builder() {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(greenMail.getImap().getPort())
                .security(Security.NONE)
                .username("bob")
                .readTimeout(Duration.ofSeconds(20));
    }

    @Test
    void endpointUriGivesSecurityHostPortAndUser() throws Exception {
        try (ImapStore store = ImapStore.builder()
                .endpoint("imap://bob@127.0.0.1:" + greenMail.getImap().getPort())
                .password(PASSWORD.toCharArray())
                .connect()) {
            assertThat(store.account())
                    .isEqualTo("imap://bob@127.0.0.1:" + greenMail.getImap().getPort());
            assertThat(store.listFolders()).isNotEmpty();
        }
        assertThatThrownBy(() -> ImapStore.builder().endpoint("imaps://bob:pw@host"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> ImapStore.builder().endpoint("pop3://bob@host"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pop3");
    }

    @Test
    void builderRefusesASettingGivenTwiceAndBadValues() {
        assertThatThrownBy(() -> builder().host("other"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("host was already set");
        assertThatThrownBy(() -> builder().password("a".toCharArray()).oauth2(() -> "t"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ImapStore.builder().port(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImapStore.builder().maxConnections(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImapStore.builder().trustCertificateSha256("not-hex"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImapStore.builder().host("h").username("u").connect())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("password");
    }

    @Test
    void xoauth2AsksTheSupplierForATokenAtEachLogin() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        // GreenMail accepts the user's password as the bearer token.
        try (ImapStore store = builder()
                        .oauth2(() -> {
                            asked.incrementAndGet();
                            return PASSWORD;
                        })
                        .connect();
                MailFolder a = store.openFolder(FolderPath.INBOX);
                MailFolder b = store.openFolder(FolderPath.INBOX)) {
            assertThat(a.status().messageCount()).isZero();
            assertThat(b.status().messageCount()).isZero();
        }
        assertThat(asked.get()).isEqualTo(2);
    }

    @Test
    void maxConnectionsCapsOpenFolders() throws Exception {
        try (ImapStore store = builder()
                .password(PASSWORD.toCharArray())
                .maxConnections(2)
                .connectionWait(Duration.ofMillis(300))
                .connect()) {
            MailFolder first = store.openFolder(FolderPath.INBOX);
            MailFolder second = store.openFolder(FolderPath.INBOX);
            assertThatThrownBy(() -> store.openFolder(FolderPath.INBOX))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("maxConnections is 2");
            first.close();
            try (MailFolder third = store.openFolder(FolderPath.INBOX)) {
                assertThat(third.status().messageCount()).isZero();
            }
            second.close();
        }
    }

    @Test
    void passwordsAppearInNoExceptionTextAndNoLog() throws Exception {
        List<String> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(
                        String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger angus = Logger.getLogger("org.eclipse.angus");
        Level before = angus.getLevel();
        angus.setLevel(Level.ALL);
        angus.addHandler(handler);
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        System.setOut(capture);
        List<Throwable> failures = new ArrayList<>();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try {
            // A wrong password, the right password of another user, a closed port, retries included.
            for (ImapStore.Builder b : List.of(
                    builder().password((PASSWORD + "x").toCharArray()),
                    ImapStore.builder()
                            .host("127.0.0.1")
                            .port(closedPort)
                            .security(Security.NONE)
                            .username("bob")
                            .password(PASSWORD.toCharArray())
                            .retry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1))),
                    ImapStore.builder()
                            .host("127.0.0.1")
                            .port(greenMail.getImap().getPort())
                            .security(Security.STARTTLS)
                            .username("bob")
                            .password(PASSWORD.toCharArray())
                            .retry(RetryPolicy.NONE))) {
                try {
                    b.connect().close();
                } catch (MailStoreException e) {
                    failures.add(e);
                }
            }
        } finally {
            System.setErr(err);
            System.setOut(out);
            angus.removeHandler(handler);
            angus.setLevel(before);
        }
        assertThat(failures).hasSize(3);
        assertThat(failures.get(0)).isInstanceOf(AuthenticationException.class).hasMessageContaining("bob");
        assertThat(failures.get(1)).isInstanceOf(ConnectionException.class);
        for (Throwable failure : failures) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
                assertThat(t.toString()).doesNotContain(PASSWORD);
            }
        }
        assertThat(String.join("\n", logged)).doesNotContain(PASSWORD);
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("retrying") // the retries of the closed port were logged ...
                .doesNotContain(PASSWORD); // ... without the password
    }

    @Test
    void aReaderAndAWriterCopyInParallelOnTwoConnections() throws Exception {
        try (ImapStore store = builder().password(PASSWORD.toCharArray()).connect()) {
            store.createFolder(FolderPath.of("Target"));
            List<byte[]> expected = new ArrayList<>();
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < 60; i++) {
                    byte[] bytes = TestMessages.simple("parallel " + i, "body " + i);
                    expected.add(bytes);
                    try (RawMessage raw = RawMessage.of(bytes)) {
                        inbox.append(new AppendRequest(raw, Flags.NONE, DATE));
                    }
                }
            }
            BlockingQueue<RawMessage> queue = new ArrayBlockingQueue<>(8);
            RawMessage end = RawMessage.of(new byte[0]);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try (MailFolder source = store.openFolder(FolderPath.INBOX)) {
                    List<MessageInfo> all = new ArrayList<>();
                    source.list(MessageQuery.all(), all::addAll);
                    source.readAll(all.stream().map(MessageInfo::uid).toList(), (uid, raw) -> put(queue, raw));
                    put(queue, end);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (MailFolder target = store.openFolder(FolderPath.of("Target"))) {
                for (RawMessage next = queue.take(); next != end; next = queue.take()) {
                    try (RawMessage raw = next) {
                        target.append(new AppendRequest(raw, Flags.NONE, DATE));
                    }
                }
                reader.join();
                List<MessageInfo> copied = new ArrayList<>();
                target.list(MessageQuery.all(), copied::addAll);
                List<byte[]> bytes = new ArrayList<>();
                target.readAll(copied.stream().map(MessageInfo::uid).toList(), (uid, raw) -> {
                    try (raw) {
                        bytes.add(raw.toByteArray());
                    }
                });
                assertThat(bytes).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void messagesAboveTheSpoolThresholdGoToTempFilesInChunksAndComeInTheOrderAsked(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path spoolDir) throws Exception {
        try (ImapStore store = builder()
                        .password(PASSWORD.toCharArray())
                        .spool(org.mailsync.MessageSpool.of(64 * 1024, spoolDir))
                        .connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<byte[]> sent = List.of(
                    TestMessages.simple("small", "x"),
                    TestMessages.withAttachment(9 * 1024 * 1024, 11), // three 4 MiB chunks
                    TestMessages.withAttachment(100_000, 12));
            List<org.mailsync.MessageUid> uids = new ArrayList<>();
            for (byte[] bytes : sent) {
                try (RawMessage raw = RawMessage.of(bytes)) {
                    uids.add(inbox.append(new AppendRequest(raw, Flags.NONE, DATE))
                            .orElseThrow());
                }
            }
            List<org.mailsync.MessageUid> order = List.of(uids.get(2), uids.get(0), uids.get(1));
            List<org.mailsync.MessageUid> seen = new ArrayList<>();
            inbox.readAll(order, (uid, raw) -> {
                try (raw) {
                    seen.add(uid);
                    byte[] expected = sent.get(uids.indexOf(uid));
                    assertThat(raw.inMemory()).isEqualTo(expected.length <= 64 * 1024);
                    assertThat(raw.toByteArray()).isEqualTo(expected);
                }
            });
            assertThat(seen).isEqualTo(order);
            try (var files = java.nio.file.Files.list(spoolDir)) {
                assertThat(files).isEmpty(); // closed messages leave no temp file behind
            }
        }
    }

    private static void put(BlockingQueue<RawMessage> queue, RawMessage raw) {
        try {
            queue.put(raw);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
