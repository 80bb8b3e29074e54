package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.mailsync.testing.CourierServer;

/**
 * Whole passes into and out of a real Courier-IMAP (issue 13): into Courier with and without
 * UIDPLUS the copy is counted, later flag changes never duplicate, and a pass cut off by the server
 * resumes exactly once; out of Courier (no CONDSTORE) a flags-only change arrives.
 */
@Tag("courier")
class CourierSyncTest {
    private static final Instant DATE = Instant.parse("2025-03-04T05:06:07Z");
    private static final String WITHOUT_UIDPLUS = "IMAP4rev1 CHILDREN NAMESPACE SORT QUOTA IDLE";

    @TempDir
    Path tmp;

    @Test
    void intoCourierWithUidplusEveryMessageOnceAndFlagChangesNeverDuplicate() throws Exception {
        try (CourierServer courier = CourierServer.start()) {
            copyThenChangeFlags(courier);
        }
    }

    @Test
    void intoCourierWithoutUidplusEveryMessageOnceAndFlagChangesNeverDuplicate() throws Exception {
        try (CourierServer courier = CourierServer.start(WITHOUT_UIDPLUS)) {
            copyThenChangeFlags(courier);
        }
    }

    @Test
    void intoCourierWithoutUidplusAPassCutOffByTheServerResumesExactlyOnce() throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        for (int i = 0; i < 400; i++) {
            put(source, FolderPath.INBOX, "message " + i, Flags.NONE);
        }
        try (CourierServer courier = CourierServer.start(WITHOUT_UIDPLUS)) {
            int cuts = 0;
            for (int round = 0; round < 5; round++) {
                int cutAt = 80 * (round + 1);
                java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
                Thread cutter = new Thread(() -> {
                    // Cut every session once Courier holds cutAt messages: in the middle of the copy.
                    while (!Thread.currentThread().isInterrupted()) {
                        if (stored(courier) >= cutAt) {
                            courier.dropConnections();
                            cut.set(true);
                            return;
                        }
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                try (ImapStore target = CourierContractTest.store(courier).connect()) {
                    if (round < 3) {
                        cutter.start();
                    }
                    sync(source, target);
                    cutter.interrupt();
                    cutter.join();
                } catch (org.mailsync.MailStoreException e) {
                    // Closing a store whose sessions were cut may fail; the next round reconnects.
                }
                if (cut.get()) {
                    cuts++;
                }
            }
            assertThat(cuts).as("passes cut in the middle").isEqualTo(3);
            try (ImapStore target = CourierContractTest.store(courier).connect()) {
                assertThat(subjects(target)).hasSize(400).doesNotHaveDuplicates();
                SyncReport last = sync(source, target);
                assertThat(last.copied()).isZero();
                assertThat(last.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            }
        }
    }

    @Test
    void outOfCourierAFlagsOnlyChangeArrives() throws Exception {
        InMemoryStore target = InMemoryStore.create("memory:target");
        try (CourierServer courier = CourierServer.start();
                ImapStore source = CourierContractTest.store(courier).connect()) {
            for (int i = 0; i < 4; i++) {
                put(source, FolderPath.INBOX, "message " + i, Flags.NONE);
            }
            assertThat(sync(source, target).copied()).isEqualTo(4);
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                MessageUid second = List.copyOf(flags(inbox).keySet()).get(1);
                inbox.storeFlags(List.of(second), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            }
            SyncReport delta = sync(source, target);
            assertThat(delta.flagsUpdated()).isEqualTo(1);
            try (MailFolder inbox = target.openFolder(FolderPath.INBOX)) {
                assertThat(flags(inbox).values())
                        .filteredOn(f -> f.contains(Flag.FLAGGED))
                        .hasSize(1);
            }
        }
    }

    private void copyThenChangeFlags(CourierServer courier) throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        List<MessageUid> uids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            uids.add(put(source, FolderPath.INBOX, "message " + i, i % 3 == 0 ? Flags.of(Flag.SEEN) : Flags.NONE)
                    .orElseThrow());
        }
        try (ImapStore target = CourierContractTest.store(courier).connect()) {
            SyncReport first = sync(source, target);
            assertThat(first.copied()).isEqualTo(30);
            assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                inbox.storeFlags(uids.subList(0, 10), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            }
            SyncReport second = sync(source, target);
            assertThat(second.copied()).isZero();
            assertThat(second.flagsUpdated()).isEqualTo(10);
            assertThat(subjects(target)).hasSize(30).doesNotHaveDuplicates();
            try (MailFolder inbox = target.openFolder(FolderPath.INBOX)) {
                assertThat(flags(inbox).values())
                        .filteredOn(f -> f.contains(Flag.FLAGGED))
                        .hasSize(10);
            }
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

    /** Messages in Courier's INBOX on disk, whatever the sessions have seen. */
    private static long stored(CourierServer courier) {
        long n = 0;
        for (String sub : List.of("cur", "new")) {
            try (java.util.stream.Stream<Path> files =
                    java.nio.file.Files.list(courier.home().resolve("Maildir").resolve(sub))) {
                n += files.count();
            } catch (java.io.IOException e) {
                // Listing while Courier renames: count again on the next poll.
            }
        }
        return n;
    }

    private static java.util.Optional<MessageUid> put(MailStore store, FolderPath folder, String subject, Flags flags)
            throws Exception {
        byte[] bytes = ("From: a@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '.')
                        + "@example.org>\r\n\r\nbody of " + subject + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(bytes)) {
            return f.append(new AppendRequest(raw, flags, DATE));
        }
    }

    private static Map<MessageUid, Flags> flags(MailFolder folder) throws Exception {
        Map<MessageUid, Flags> flags = new TreeMap<>();
        folder.list(MessageQuery.all(), batch -> {
            for (MessageInfo m : batch) {
                flags.put(m.uid(), m.flags());
            }
        });
        return flags;
    }

    /** The subject line of every message in INBOX, read from the bytes. */
    private static List<String> subjects(MailStore store) throws Exception {
        List<String> subjects = new ArrayList<>();
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageUid> uids = List.copyOf(flags(inbox).keySet());
            inbox.readAll(uids, (uid, raw) -> {
                try (raw) {
                    String text = new String(raw.toByteArray(), StandardCharsets.US_ASCII);
                    subjects.add(text.lines()
                            .filter(l -> l.startsWith("Subject: "))
                            .findFirst()
                            .orElse("?"));
                }
            });
        }
        return subjects;
    }
}
