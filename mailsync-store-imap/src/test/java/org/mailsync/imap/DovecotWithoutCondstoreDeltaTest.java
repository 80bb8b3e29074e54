package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;

/**
 * Delta passes from a source without CONDSTORE (Microsoft 365, Exchange and Courier offer none):
 * a folder whose only change is flags looks unchanged by UIDVALIDITY, UIDNEXT and count, and its
 * flag changes must still arrive, on this pass and not never (issue 13, item 1).
 */
@Tag("dovecot")
class DovecotWithoutCondstoreDeltaTest {
    private static DovecotServer dovecot;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = DovecotContractTest.Dovecots.startWithUsers(
                "delta",
                DovecotServer.Options.defaults()
                        .withExtraConfig(DovecotWithoutCondstoreContractTest.CAPABILITIES_WITHOUT_CONDSTORE));
    }

    @AfterAll
    static void stopDovecot() throws Exception {
        dovecot.close();
    }

    @Test
    void aFlagsOnlyChangeOnTheSourceArrivesOnTheNextPass() throws Exception {
        InMemoryStore target = InMemoryStore.create("memory:target");
        try (ImapStore source = DovecotContractTest.Dovecots.store(dovecot, "delta1")) {
            for (int i = 0; i < 5; i++) {
                append(source, "message " + i, i % 2 == 0 ? Flags.of(Flag.SEEN) : Flags.NONE);
            }
            SyncReport first = sync(source, target);
            assertThat(first.copied()).isEqualTo(5);

            // Only flags change: UIDVALIDITY, UIDNEXT and the count stay as they were.
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                List<MessageUid> uids = List.copyOf(flagsByUid(inbox).keySet());
                inbox.storeFlags(List.of(uids.get(1)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
                inbox.storeFlags(List.of(uids.get(2)), FlagsUpdateMode.REMOVE, Flags.of(Flag.SEEN));
            }
            SyncReport second = sync(source, target);
            assertThat(second.flagsUpdated()).isEqualTo(2);
            assertThat(systemFlags(target)).isEqualTo(systemFlagsOf(source));

            SyncReport third = sync(source, target);
            assertThat(third.flagsUpdated()).isZero();
            assertThat(third.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        }
    }

    private SyncReport sync(MailStore source, MailStore target) throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(FileCheckpointStore.in(tmp.resolve("checkpoints")))
                .build()
                .run();
    }

    private static void append(MailStore store, String subject, Flags flags) throws Exception {
        byte[] bytes = ("From: a@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '.')
                        + "@example.org>\r\n\r\nbody of " + subject + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(bytes)) {
            inbox.append(new AppendRequest(raw, flags, Instant.parse("2025-01-02T03:04:05Z")));
        }
    }

    private static Map<MessageUid, Flags> flagsByUid(MailFolder folder) throws Exception {
        Map<MessageUid, Flags> flags = new TreeMap<>();
        folder.list(MessageQuery.all(), batch -> {
            for (MessageInfo m : batch) {
                flags.put(m.uid(), m.flags());
            }
        });
        return flags;
    }

    private static List<String> systemFlagsOf(MailStore store) throws Exception {
        return systemFlags(store);
    }

    /** The system flags of INBOX in UID order (the order both sides appended in). */
    private static List<String> systemFlags(MailStore store) throws Exception {
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            return flagsByUid(inbox).values().stream()
                    .map(f -> f.system().toString())
                    .toList();
        }
    }
}
