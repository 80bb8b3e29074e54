package org.mailsync.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.TestMessages;

/**
 * The POP3 store against a scripted server: servers without UIDL (a full re-match by identity at
 * every pass, said in the report), hostile answers (never-ending, stalling, no greeting: bounded,
 * with a clear error) and each way of logging in (APOP where offered, USER/PASS, SASL PLAIN,
 * XOAUTH2, STLS required).
 */
class ScriptedPop3Test {
    private ScriptedPop3Server server;

    @TempDir
    Path state;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedPop3Server("alice", "secret-7");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Pop3Store.Builder builder() {
        return Pop3Store.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Pop3Security.NONE)
                .username("alice")
                .password(() -> "secret-7".toCharArray())
                .stateDirectory(state);
    }

    private static List<MessageInfo> list(MailFolder folder) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        folder.list(MessageQuery.all(), all::addAll);
        return all;
    }

    @Test
    void withoutUidlEveryPassRecognisesMessagesByIdentityAndCopiesOnlyNewOnes() throws Exception {
        server.quirk(ScriptedPop3Server.Quirk.NO_UIDL);
        server.deliver(TestMessages.simple("one", "1"));
        server.deliver(TestMessages.simple("two", "2"));
        // The same message twice: two messages, two copies (identity counts, never collapses).
        server.deliver(TestMessages.simple("two", "2"));
        InMemoryStore target = InMemoryStore.create("memory:target");
        Pop3Store source = builder().build();
        SyncEngine engine = SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpointDirectory(state.resolve("checkpoints"))
                .build();
        SyncReport first = engine.run();
        assertThat(first.copied()).isEqualTo(3);
        assertThat(first.notes()).anyMatch(n -> n.contains("no UIDL") && n.contains("full re-match by identity"));
        server.deliver(TestMessages.simple("three", "3"));
        SyncReport second = engine.run();
        assertThat(second.copied()).isEqualTo(1);
        assertThat(second.alreadyPresent()).isZero();
        try (MailFolder inbox = target.openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).hasSize(4);
        }
        // Each pass read every message's headers (TOP n 0): the re-match the report speaks of.
        assertThat(server.commands().stream().filter(c -> c.startsWith("TOP ")).count())
                .isGreaterThanOrEqualTo(3 + 4);
    }

    @Test
    void anAnswerThatNeverEndsIsCutAtItsBoundWithAClearError() throws Exception {
        server.deliver(TestMessages.simple("endless", "x"));
        server.quirk(ScriptedPop3Server.Quirk.RETR_NEVER_ENDS);
        try (MailFolder inbox = builder().build().openFolder(FolderPath.INBOX)) {
            MessageInfo m = list(inbox).get(0);
            long started = System.nanoTime();
            assertThatThrownBy(() -> inbox.read(m.uid()))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("more than")
                    .hasMessageContaining("bytes for message 1");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void aUidlListingThatNeverEndsStopsAtTheResponseBound() throws Exception {
        server.deliver(TestMessages.simple("a", "x"));
        server.quirk(ScriptedPop3Server.Quirk.UIDL_NEVER_ENDS);
        try (MailFolder inbox = builder().maxResponseSize(64 * 1024).build().openFolder(FolderPath.INBOX)) {
            assertThatThrownBy(() -> list(inbox))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("more than 65536 bytes");
        }
    }

    @Test
    void aServerThatStallsMidMessageIsALostConnectionWithinTheStallTimeout() throws Exception {
        server.deliver(TestMessages.simple("slow", "x".repeat(5000)));
        server.quirk(ScriptedPop3Server.Quirk.RETR_STALLS);
        try (MailFolder inbox =
                builder().stallTimeout(Duration.ofSeconds(1)).build().openFolder(FolderPath.INBOX)) {
            MessageInfo m = list(inbox).get(0);
            long started = System.nanoTime();
            assertThatThrownBy(() -> inbox.read(m.uid()))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("stalled");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aServerThatNeverGreetsIsALostConnectionWithinTheGreetingTimeout() throws Exception {
        server.quirk(ScriptedPop3Server.Quirk.NO_GREETING);
        long started = System.nanoTime();
        assertThatThrownBy(
                        () -> builder().greetingTimeout(Duration.ofSeconds(1)).connect())
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("greeting timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMessageAboveMaxMessageSizeFailsAsAMessageWithoutBeingDownloaded() throws Exception {
        server.deliver(TestMessages.withAttachment(200_000, 3));
        try (MailFolder inbox = builder().maxMessageSize(100_000).build().openFolder(FolderPath.INBOX)) {
            MessageInfo m = list(inbox).get(0);
            assertThatThrownBy(() -> inbox.read(m.uid()))
                    .isInstanceOf(MessageRejectedException.class)
                    .hasMessageContaining("maxMessageSize");
        }
        assertThat(server.commands()).noneMatch(c -> c.startsWith("RETR"));
    }

    @Test
    void apopIsUsedWhereTheGreetingOffersItAndThePasswordNeverSent() throws Exception {
        server.quirk(ScriptedPop3Server.Quirk.OFFER_APOP);
        builder().connect();
        assertThat(server.commands()).anyMatch(c -> c.startsWith("APOP alice "));
        assertThat(server.commands()).noneMatch(c -> c.contains("secret-7"));
    }

    @Test
    void userPassWhenAskedEvenWhereApopIsOffered() throws Exception {
        server.quirk(ScriptedPop3Server.Quirk.OFFER_APOP);
        builder().authentication(Pop3Authentication.USER_PASS).connect();
        assertThat(server.commands()).contains("USER alice", "PASS secret-7");
    }

    @Test
    void saslPlainAndXoauth2LogIn() throws Exception {
        server.quirk(ScriptedPop3Server.Quirk.OFFER_SASL);
        builder().authentication(Pop3Authentication.SASL_PLAIN).connect();
        assertThat(server.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN "));
        Pop3Store.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Pop3Security.NONE)
                .username("alice")
                .oauth2(() -> "secret-7")
                .stateDirectory(state)
                .connect();
        assertThat(server.commands()).anyMatch(c -> c.startsWith("AUTH XOAUTH2 "));
        assertThat(server.commands()).noneMatch(c -> c.startsWith("PASS"));
    }

    @Test
    void aWrongPasswordIsAnAuthenticationErrorThatNamesTheAccountNotThePassword() throws Exception {
        assertThatThrownBy(() -> Pop3Store.builder()
                        .host("127.0.0.1")
                        .port(server.port())
                        .security(Pop3Security.NONE)
                        .username("alice")
                        .password(() -> "wrong-pw-9".toCharArray())
                        .stateDirectory(state)
                        .connect())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("pop3://alice@127.0.0.1")
                .hasMessageNotContaining("wrong-pw-9");
    }

    @Test
    void stlsIsRequiredWhenAskedFor() throws Exception {
        assertThatThrownBy(() -> builder().security(Pop3Security.STLS)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Pop3Store.builder()
                        .host("127.0.0.1")
                        .port(server.port())
                        .security(Pop3Security.STLS)
                        .username("alice")
                        .password(() -> "secret-7".toCharArray())
                        .stateDirectory(state)
                        .connect())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("STLS");
        assertThat(server.commands()).noneMatch(c -> c.startsWith("PASS") || c.startsWith("USER"));
    }

    @Test
    void idsStayTheSameWhenTheIdFileIsKeptAndTheGenerationChangesWhenItIsLost() throws Exception {
        server.deliver(TestMessages.simple("a", "1"));
        server.deliver(TestMessages.simple("b", "2"));
        List<MessageInfo> before;
        org.mailsync.FolderStatus statusBefore;
        try (MailFolder inbox = builder().build().openFolder(FolderPath.INBOX)) {
            before = list(inbox);
            statusBefore = inbox.status();
        }
        try (MailFolder inbox = builder().build().openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).isEqualTo(before);
            assertThat(inbox.status()).isEqualTo(statusBefore);
        }
        try (var files = java.nio.file.Files.list(state)) {
            for (Path f : files.toList()) {
                java.nio.file.Files.delete(f);
            }
        }
        try (MailFolder inbox = builder().build().openFolder(FolderPath.INBOX)) {
            assertThat(inbox.status().generation()).isNotEqualTo(statusBefore.generation());
        }
    }

    @Test
    void theIdFileIsPrivateAndADamagedOneStopsWithWhatToDo() throws Exception {
        server.deliver(TestMessages.simple("a", "1"));
        try (MailFolder inbox = builder().build().openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).hasSize(1);
        }
        Path file;
        try (var files = java.nio.file.Files.list(state)) {
            file = files.filter(f -> !f.toString().endsWith(".lock"))
                    .findFirst()
                    .orElseThrow();
        }
        assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        java.nio.file.Files.writeString(file, "not an id file\n");
        try (MailFolder inbox = builder().build().openFolder(FolderPath.INBOX)) {
            assertThatThrownBy(() -> list(inbox))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("damaged POP3 id file")
                    .hasMessageContaining("remove it");
        }
    }

    @Test
    void aMessageLargerThanListedAndAboveMaxMessageSizeFailsAsAMessage() throws Exception {
        server.deliver(TestMessages.withAttachment(150_000, 4));
        server.quirk(ScriptedPop3Server.Quirk.LIST_HALF_SIZES);
        try (MailFolder inbox = builder().maxMessageSize(100_000).build().openFolder(FolderPath.INBOX)) {
            MessageInfo m = list(inbox).get(0);
            assertThat(m.size()).isLessThan(100_000);
            assertThatThrownBy(() -> inbox.read(m.uid()))
                    .isInstanceOf(MessageRejectedException.class)
                    .hasMessageContaining("more than the 100000");
        }
    }

    @Test
    void aServerThatDripsForeverIsStoppedByTheOperationDeadline() throws Exception {
        server.deliver(TestMessages.withAttachment(2_000_000, 5));
        server.quirk(ScriptedPop3Server.Quirk.RETR_DRIPS);
        try (MailFolder inbox =
                builder().operationDeadline(Duration.ofSeconds(2)).build().openFolder(FolderPath.INBOX)) {
            MessageInfo m = list(inbox).get(0);
            long started = System.nanoTime();
            assertThatThrownBy(() -> inbox.read(m.uid()))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("operation deadline");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        }
    }
}
