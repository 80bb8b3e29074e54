package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * The engine copying into a server that behaves like Courier-IMAP ({@link CourierLikeImapServer}):
 * no UIDPLUS, so the new ids are found by settling, on a server whose selected mailbox shows new
 * messages only after a NOOP; no LITERAL+ and no MULTIAPPEND.
 */
class CourierLikeSyncTest {
    private static final Instant DATE = Instant.parse("2025-03-04T05:06:07Z");
    private static final FolderPath ARCHIVE = FolderPath.of("Archive");

    @TempDir
    Path tmp;

    static ImapStore target(CourierLikeImapServer server) throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Security.NONE)
                .username("anna")
                .password("secret".toCharArray())
                .readTimeout(Duration.ofSeconds(10))
                .retry(RetryPolicy.NONE)
                .connect();
    }

    /** A source with {@code count} distinct messages in INBOX and in Archive, some with keywords. */
    static InMemoryStore source(int count) throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        source.createFolder(ARCHIVE);
        for (FolderPath folder : List.of(FolderPath.INBOX, ARCHIVE)) {
            try (MailFolder f = source.openFolder(folder)) {
                for (int i = 0; i < count; i++) {
                    byte[] bytes = ("From: a@example.org\r\nSubject: " + folder + " " + i + "\r\nMessage-ID: <" + i
                                    + "." + folder.join('.') + "@example.org>\r\n\r\nbody " + i + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    Flags flags = i % 3 == 0 ? Flags.of(Set.of(Flag.SEEN), Set.of("$Work")) : Flags.NONE;
                    try (RawMessage raw = RawMessage.of(bytes)) {
                        f.append(new AppendRequest(raw, flags, DATE));
                    }
                }
            }
        }
        return source;
    }

    SyncReport sync(InMemoryStore source, ImapStore target, int retries) throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpointDirectory(tmp.resolve("checkpoints"))
                .retries(retries, Duration.ZERO)
                .build()
                .run();
    }

    @Test
    void aCopyReportsEveryMessageCopiedAndALaterFlagPassDuplicatesNothing() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer()) {
            InMemoryStore source = source(12);
            try (ImapStore target = target(server)) {
                SyncReport first = sync(source, target, 0);
                assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
                assertThat(first.copied()).isEqualTo(24);
            }
            assertThat(server.messages("INBOX")).hasSize(12);
            assertThat(server.messages("INBOX.Archive")).hasSize(12);

            // Flag changes on the source: the next pass updates flags, never appends again.
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                List<MessageUid> uids = new ArrayList<>();
                inbox.list(MessageQuery.all(), b -> b.forEach(m -> uids.add(m.uid())));
                inbox.storeFlags(uids.subList(0, 5), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            }
            try (ImapStore target = target(server)) {
                SyncReport second = sync(source, target, 0);
                assertThat(second.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
                assertThat(second.copied()).isZero();
                assertThat(second.flagsUpdated()).isEqualTo(5);
                SyncReport third = sync(source, target, 0);
                assertThat(third.copied()).isZero();
            }
            assertThat(server.messages("INBOX")).hasSize(12);
            assertThat(server.messages("INBOX.Archive")).hasSize(12);
            assertThat(server.flags("INBOX").stream().filter(f -> f.contains("\\Flagged")))
                    .hasSize(5);
            assertThat(server.violations()).isEmpty();
            assertThat(server.commands()).noneMatch(c -> c.contains("APPENDUID"));
        }
    }

    @Test
    void aConnectionDroppedAfterAnAppendIsResumedWithEveryMessageExactlyOnce() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer()) {
            InMemoryStore source = source(10);
            // Killed twice: right after the 4th stored APPEND, and after the 3rd of the next run.
            server.dropConnectionAfterAppend(4);
            try (ImapStore target = target(server)) {
                SyncReport killed = sync(source, target, 0);
                assertThat(killed.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            }
            server.dropConnectionAfterAppend(3);
            try (ImapStore target = target(server)) {
                assertThat(sync(source, target, 0).verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            }
            try (ImapStore target = target(server)) {
                SyncReport resumed = sync(source, target, 0);
                assertThat(resumed.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            }
            // Every message's flags change: the next pass must find each one paired.
            for (FolderPath folder : List.of(FolderPath.INBOX, ARCHIVE)) {
                try (MailFolder f = source.openFolder(folder)) {
                    List<MessageUid> uids = new ArrayList<>();
                    f.list(MessageQuery.all(), b -> b.forEach(m -> uids.add(m.uid())));
                    f.storeFlags(uids, FlagsUpdateMode.ADD, Flags.of(Flag.ANSWERED));
                }
            }
            try (ImapStore target = target(server)) {
                SyncReport later = sync(source, target, 0);
                assertThat(later.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
                assertThat(later.copied()).isZero();
                assertThat(later.flagsUpdated()).isEqualTo(20);
            }
            for (String box : List.of("INBOX", "INBOX.Archive")) {
                List<String> subjects = new ArrayList<>();
                for (byte[] m : server.messages(box)) {
                    String text = new String(m, StandardCharsets.US_ASCII);
                    subjects.add(text.substring(text.indexOf("Subject: "), text.indexOf("\r\nMessage-ID")));
                }
                assertThat(subjects).hasSize(10).doesNotHaveDuplicates();
            }
            assertThat(server.violations()).isEmpty();
        }
    }

    /**
     * Issue 13.3 over IMAP: a server without UIDPLUS that rewrites what it stores (8-bit header
     * bytes to X as Cyrus does, a final CRLF added as Courier does). Killed twice in the middle of
     * the copy, resumed, then run again with empty checkpoints: every message is there once, and
     * the report names the altered ones.
     */
    @Test
    void aRewritingServerCutTwiceAndRerunWithEmptyCheckpointsHoldsEveryMessageOnce() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().rewriting()) {
            InMemoryStore source = InMemoryStore.create("memory:source");
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < 12; i++) {
                    String subject = i % 2 == 0 ? "Grüße " + i : "plain " + i;
                    String end = i % 3 == 0 ? "" : "\r\n"; // every third without a final line end
                    byte[] bytes = ("From: a@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <r" + i
                                    + "@example.org>\r\n\r\nbody " + i + end)
                            .getBytes(StandardCharsets.UTF_8);
                    try (RawMessage raw = RawMessage.of(bytes)) {
                        inbox.append(new AppendRequest(raw, Flags.NONE, DATE));
                    }
                }
            }
            server.dropConnectionAfterAppend(4);
            try (ImapStore target = target(server)) {
                assertThat(sync(source, target, 0).verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            }
            server.dropConnectionAfterAppend(3);
            try (ImapStore target = target(server)) {
                assertThat(sync(source, target, 0).verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            }
            try (ImapStore target = target(server)) {
                SyncReport resumed = sync(source, target, 0);
                assertThat(resumed.verdict()).as(resumed.toText()).isEqualTo(SyncReport.Verdict.COMPLETE);
            }
            assertThat(server.messages("INBOX")).hasSize(12);

            // The same migration from scratch (checkpoints lost): nothing is copied again.
            try (ImapStore target = target(server)) {
                SyncReport fresh = SyncEngine.builder()
                        .source(source)
                        .target(target)
                        .checkpointDirectory(tmp.resolve("fresh"))
                        .retries(0, Duration.ZERO)
                        .build()
                        .run();
                assertThat(fresh.copied()).as(fresh.toText()).isZero();
                assertThat(fresh.alreadyPresent()).isEqualTo(12);
            }
            assertThat(server.messages("INBOX")).hasSize(12);
            List<String> subjects = new ArrayList<>();
            for (byte[] m : server.messages("INBOX")) {
                String text = new String(m, StandardCharsets.ISO_8859_1);
                subjects.add(text.substring(text.indexOf("Message-ID: "), text.indexOf("\r\n\r\n")));
            }
            assertThat(subjects).doesNotHaveDuplicates();
        }
    }

    @Test
    void aRewritingServerAlteredMessagesAreNamedInTheReport() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().rewriting()) {
            InMemoryStore source = InMemoryStore.create("memory:source");
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                byte[] noFinalEol = "From: a@example.org\r\nSubject: x\r\nMessage-ID: <x@example.org>\r\n\r\nbody"
                        .getBytes(StandardCharsets.US_ASCII);
                try (RawMessage raw = RawMessage.of(noFinalEol)) {
                    inbox.append(new AppendRequest(raw, Flags.NONE, DATE));
                }
            }
            try (ImapStore target = target(server)) {
                SyncReport report = sync(source, target, 0);
                assertThat(report.altered()).as(report.toText()).isEqualTo(1);
                assertThat(report.toText()).contains("stored altered by the server");
            }
        }
    }

    @Test
    void openFolderSeesMessagesAppendedThroughAnotherConnection() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer();
                ImapStore target = target(server);
                MailFolder watcher = target.openFolder(FolderPath.INBOX);
                MailFolder writer = target.openFolder(FolderPath.INBOX)) {
            assertThat(watcher.status().messageCount()).isZero();
            try (RawMessage raw = RawMessage.of("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII))) {
                assertThat(writer.append(new AppendRequest(raw, Flags.NONE, DATE)))
                        .isEmpty();
            }
            assertThat(watcher.status().messageCount()).isEqualTo(1);
            assertThat(writer.status().messageCount()).isEqualTo(1);
            List<MessageInfo> listed = new ArrayList<>();
            watcher.list(MessageQuery.all(), listed::addAll);
            assertThat(listed).hasSize(1);
        }
    }

    @Test
    void aNoopIsSentOnlyWhenTheSelectIsNotTheLastCommand() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer();
                ImapStore target = target(server);
                MailFolder inbox = target.openFolder(FolderPath.INBOX)) {
            int before = server.commands().size();
            inbox.status();
            inbox.status();
            inbox.list(MessageQuery.all(), b -> {});
            assertThat(server.commands().subList(before, server.commands().size()))
                    .containsExactly(
                            "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)",
                            "NOOP",
                            "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)",
                            "NOOP",
                            "UID FETCH 1:* (UID)");
        }
    }

    @Test
    void keywordsTheTargetCannotKeepAreCountedAndNamedInTheReport() throws Exception {
        // INBOX keeps keywords, so the account declares KEYWORDS; Archive's PERMANENTFLAGS lack \*.
        try (CourierLikeImapServer server = new CourierLikeImapServer().keywordsOffIn("INBOX.Archive")) {
            InMemoryStore source = source(12);
            try (ImapStore target = target(server)) {
                SyncReport first = sync(source, target, 0);
                assertThat(first.copied()).isEqualTo(24);
                assertThat(first.notes()).anySatisfy(n -> assertThat(n)
                        .startsWith("target Archive: keywords dropped")
                        .contains("$Work on 4 messages"));
                assertThat(first.notes()).noneMatch(n -> n.startsWith("target INBOX:"));
            }
            assertThat(server.flags("INBOX").stream().filter(f -> f.contains("$Work")))
                    .hasSize(4);
            try (MailFolder archive = source.openFolder(ARCHIVE)) {
                List<MessageUid> uids = new ArrayList<>();
                archive.list(MessageQuery.all(), b -> b.forEach(m -> uids.add(m.uid())));
                archive.storeFlags(uids.subList(1, 3), FlagsUpdateMode.ADD, Flags.of(Set.of(), Set.of("$Later")));
            }
            try (ImapStore target = target(server)) {
                SyncReport second = sync(source, target, 0);
                assertThat(second.notes()).anySatisfy(n -> assertThat(n)
                        .startsWith("target Archive: keywords dropped")
                        .contains("$Later on 2 messages"));
            }
        }
    }

    @Test
    void aTargetWithKeywordsOffEverywhereCountsEveryMessageThatLostThem() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().keywordsOff()) {
            InMemoryStore source = source(12);
            try (ImapStore target = target(server)) {
                assertThat(target.capabilities().has(org.mailsync.Capability.KEYWORDS))
                        .isFalse();
                SyncReport report = sync(source, target, 0);
                assertThat(report.copied()).isEqualTo(24);
                assertThat(report(report, FolderPath.INBOX).keywordsDropped()).isEqualTo(4);
                assertThat(report(report, ARCHIVE).keywordsDropped()).isEqualTo(4);
                assertThat(report.toText()).contains("keywords dropped");
            }
            assertThat(server.flags("INBOX")).allSatisfy(f -> assertThat(f).noneMatch(k -> k.startsWith("$")));
        }
    }

    static FolderReport report(SyncReport report, FolderPath source) {
        return report.folders().stream()
                .filter(f -> f.pair().source().equals(source))
                .findFirst()
                .orElseThrow();
    }
}
