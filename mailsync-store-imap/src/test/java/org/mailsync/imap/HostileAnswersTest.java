package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/** Answers that cannot be true: wrong APPENDUIDs, a UID answered twice, a lying RFC822.SIZE, odd APPEND failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileAnswersTest {
    private static final byte[] MESSAGE = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    private static AppendRequest request() {
        return new AppendRequest(RawMessage.of(MESSAGE), Flags.NONE, Instant.parse("2026-01-02T03:04:05Z"));
    }

    /** A server whose INBOX has UIDNEXT 10 and whose APPEND answers with this APPENDUID code. */
    @SuppressWarnings("NonAtomicVolatileUpdate") // one connection: only its thread writes uidNext
    private static HostileImapServer appending(String capabilities, String appendUid) throws Exception {
        HostileImapServer server = new HostileImapServer().capabilities(capabilities);
        server.uidNext = 10;
        return server.on("APPEND", (s, c) -> {
            int messages = c.line().split("\\{", -1).length - 1;
            server.uidNext += messages;
            s.send(c.tag() + " OK [APPENDUID " + appendUid + "] APPEND completed");
            return true;
        });
    }

    @Test
    void aPlausibleAppendUidIsTrusted() throws Exception {
        try (HostileImapServer server = appending("IMAP4rev1 LITERAL+ UIDPLUS", "42 10");
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.append(request())).contains(MessageUid.of(10));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "42 0", // no UID
                "42 99999999999999999999", // overflows
                "42 4294967296", // above 2^32-1
                "43 10", // another UIDVALIDITY
                "42 5", // below UIDNEXT before the APPEND: another message's UID
                "42 50", // not below UIDNEXT after the APPEND
                "42 10:11", // two UIDs for one message
                "42 1:4000000000", // a range that would not fit in memory
            })
    void aWrongAppendUidIsNotTrustedAndNeverAnError(String appendUid) throws Exception {
        try (HostileImapServer server = appending("IMAP4rev1 LITERAL+ UIDPLUS", appendUid);
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.append(request())).isEmpty();
        }
    }

    @Test
    void appendUidsOfABatchMustAscend() throws Exception {
        try (HostileImapServer server = appending("IMAP4rev1 LITERAL+ UIDPLUS MULTIAPPEND", "42 11,10");
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.appendAll(List.of(request(), request())))
                    .containsExactly(Optional.empty(), Optional.empty());
        }
    }

    @Test
    void aBugWhileAppendingKeepsItsCauseAndIsNoRejectedMessage() throws Exception {
        RawMessage closed = RawMessage.of(MESSAGE);
        closed.close(); // writing it is a programming error (IllegalStateException)
        try (HostileImapServer server = new HostileImapServer();
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThatThrownBy(() -> inbox.append(new AppendRequest(closed, Flags.NONE, Instant.EPOCH)))
                    .isInstanceOf(StoreFailureException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aNoToTheAppendIsARejectedMessageWithTheServersAnswerAsCause() throws Exception {
        try (HostileImapServer server = new HostileImapServer().on("APPEND", (s, c) -> {
                    s.send(c.tag() + " NO [LIMIT] message too large");
                    return true;
                });
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThatThrownBy(() -> inbox.append(request()))
                    .isInstanceOf(MessageRejectedException.class)
                    .hasMessageContaining("[LIMIT] message too large")
                    .cause()
                    .isNotNull();
        }
    }

    /** A server that announces {@code size} for UID 1 and answers its body with these FETCH lines. */
    private static HostileImapServer fetching(String size, String... bodyAnswers) throws Exception {
        HostileImapServer server = new HostileImapServer();
        server.uidNext = 2;
        return server.on("UID FETCH", (s, c) -> {
            if (c.line().contains("RFC822.SIZE")) {
                s.send("* 1 FETCH (UID 1 RFC822.SIZE " + size + ")");
            } else if (c.line().contains("BODY.PEEK[]")) {
                for (String answer : bodyAnswers) {
                    s.send(answer);
                }
            }
            s.send(c.tag() + " OK FETCH completed");
            return true;
        });
    }

    private static List<byte[]> readAll(HostileImapServer server) throws Exception {
        try (ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<byte[]> out = new ArrayList<>();
            inbox.readAll(List.of(MessageUid.of(1)), (uid, raw) -> {
                try (raw) {
                    assertThat(raw.size()).isEqualTo(raw.toByteArray().length);
                    out.add(raw.toByteArray());
                }
            });
            return out;
        }
    }

    @Test
    void oneUidAnsweredTwiceWithDifferentBodiesIsAnError() throws Exception {
        try (HostileImapServer server =
                fetching("5", "* 1 FETCH (UID 1 BODY[] {5}\r\nhello)", "* 1 FETCH (UID 1 BODY[] {5}\r\nworld)")) {
            assertThatThrownBy(() -> readAll(server))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("twice");
        }
    }

    @Test
    void oneUidAnsweredTwiceWithTheSameBodyIsReadOnce() throws Exception {
        try (HostileImapServer server =
                fetching("5", "* 1 FETCH (UID 1 BODY[] {5}\r\nhello)", "* 1 FETCH (UID 1 BODY[] {5}\r\nhello)")) {
            assertThat(readAll(server)).singleElement().isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aLyingRfc822SizeNeverBecomesTheSizeOfWhatWasRead() throws Exception {
        String body = "x".repeat(3000);
        try (HostileImapServer server = fetching("10", "* 1 FETCH (UID 1 BODY[] {3000}\r\n" + body + ")")) {
            assertThat(readAll(server)).singleElement().satisfies(b -> assertThat(b)
                    .hasSize(3000));
        }
        // Announced far above the spool threshold: read in chunks, still only what arrived.
        try (HostileImapServer server = fetching("5000000000", "* 1 FETCH (UID 1 BODY[]<0> {3000}\r\n" + body + ")")) {
            assertThat(readAll(server)).singleElement().satisfies(b -> assertThat(b)
                    .hasSize(3000));
        }
    }
}
