package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;
import static org.mailsync.testing.MailboxAssertions.snapshot;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Capability;
import org.mailsync.DeletionPolicy;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.TestMessages;

/**
 * A target that rewrites what it stores, both ways real servers do: 8-bit header bytes become
 * {@code X} (Cyrus, same size) and a missing final CRLF is added (Courier, two bytes more). Every
 * message still arrives exactly once, across passes, empty checkpoints and crashes, and the
 * report names the messages stored altered.
 */
class RewritingTargetTest {
    @TempDir
    Path tmp;

    /** What the rewriting target stores of the bytes sent. */
    static byte[] rewrite(byte[] sent) {
        byte[] out = sent.clone();
        int headerEnd = out.length;
        for (int i = 0; i + 3 < out.length; i++) {
            if (out[i] == '\r' && out[i + 1] == '\n' && out[i + 2] == '\r' && out[i + 3] == '\n') {
                headerEnd = i;
                break;
            }
        }
        for (int i = 0; i < headerEnd; i++) {
            if (out[i] < 0) {
                out[i] = 'X';
            }
        }
        if (out.length >= 2 && out[out.length - 2] == '\r' && out[out.length - 1] == '\n') {
            return out;
        }
        ByteArrayOutputStream withEnd = new ByteArrayOutputStream();
        withEnd.writeBytes(out);
        withEnd.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return withEnd.toByteArray();
    }

    /** The target store, rewriting each message it is given to append. */
    static MailStore rewriting(MailStore store) {
        return new ForwardingMailStore(store) {
            @Override
            public MailFolder openFolder(FolderPath path) throws MailStoreException {
                return new ForwardingMailFolder(delegate().openFolder(path)) {
                    @Override
                    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
                        try (RawMessage rewritten =
                                RawMessage.of(rewrite(request.message().toByteArray()))) {
                            return delegate()
                                    .append(new AppendRequest(rewritten, request.flags(), request.internalDate()));
                        }
                    }

                    @Override
                    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests)
                            throws MailStoreException {
                        List<Optional<MessageUid>> ids = new ArrayList<>();
                        for (AppendRequest request : requests) {
                            ids.add(append(request));
                        }
                        return ids;
                    }
                };
            }
        };
    }

    private static byte[] noFinalNewline(String subject) {
        return ("From: a@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject
                        + "@example.org>\r\n\r\nlast line without an end")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] eightBitAndNoFinalNewline() {
        byte[] m = TestMessages.eightBitHeaders();
        return java.util.Arrays.copyOf(m, m.length - 2);
    }

    /** Six messages: three stored longer, two stored with X for 8-bit bytes, one as sent. */
    private static void fill(InMemoryStore source) throws Exception {
        put(source, FolderPath.INBOX, TestMessages.eightBitHeaders(), Flags.of(Flag.SEEN));
        put(source, FolderPath.INBOX, noFinalNewline("n1"), Flags.NONE);
        put(source, FolderPath.INBOX, noFinalNewline("twin"), Flags.NONE);
        put(source, FolderPath.INBOX, noFinalNewline("twin"), Flags.NONE);
        put(source, FolderPath.INBOX, message("plain", "p"), Flags.NONE);
        put(source, FolderPath.INBOX, eightBitAndNoFinalNewline(), Flags.NONE);
    }

    private CrashScenario scenario(String name, boolean appendUid) throws Exception {
        InMemoryStore target =
                appendUid ? InMemoryStore.create("memory:target") : SyncFixture.targetWithout(Capability.APPEND_UID);
        return new CrashScenario(
                Files.createTempDirectory(tmp, name),
                InMemoryStore.create("memory:source"),
                target,
                RewritingTargetTest::rewriting,
                RewritingTargetTest::rewrite);
    }

    private SyncFixture fixture(boolean appendUid) throws Exception {
        InMemoryStore target =
                appendUid ? InMemoryStore.create("memory:target") : SyncFixture.targetWithout(Capability.APPEND_UID);
        SyncFixture f = new SyncFixture(tmp, InMemoryStore.create("memory:source"), target);
        fill(f.sourceData);
        return f;
    }

    private static org.mailsync.SyncEngine.Builder engine(SyncFixture f) throws Exception {
        return org.mailsync.SyncEngine.builder()
                .source(f.source)
                .target(rewriting(f.target))
                .checkpoints(org.mailsync.FileCheckpointStore.in(f.checkpoints))
                .retries(0, java.time.Duration.ZERO);
    }

    private void copiesOnceAcrossPassesAndEmptyCheckpoints(boolean appendUid) throws Exception {
        SyncFixture f = fixture(appendUid);
        SyncReport first = engine(f).build().run();
        assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(first.copied()).isEqualTo(6);
        // The four stored two bytes longer are noticed by size; without ids, settling finds the
        // one whose 8-bit header bytes became X (same size) by the relaxed key: known altered too.
        assertThat(first.altered()).isEqualTo(appendUid ? 4 : 5);
        assertThat(first.toText()).contains("stored altered by the server");
        assertThat(snapshot(f.targetData, FolderPath.INBOX)).hasSize(6);

        SyncReport second = engine(f).build().run();
        assertThat(second.copied()).isZero();
        assertThat(second.folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.UNCHANGED);

        MoreFiles.deleteRecursively(f.checkpoints, RecursiveDeleteOption.ALLOW_INSECURE);
        SyncReport rerun = engine(f).build().run();
        assertThat(rerun.copied()).isZero();
        assertThat(rerun.alreadyPresent()).isEqualTo(6);
        assertThat(snapshot(f.targetData, FolderPath.INBOX)).hasSize(6);

        // A flag change on a message stored altered lands on it (its pair checks out by headers).
        try (MailFolder inbox = f.sourceData.openFolder(FolderPath.INBOX)) {
            inbox.storeFlags(List.of(MessageUid.of(6)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        SyncReport flags = engine(f).build().run();
        assertThat(flags.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(flags.flagsUpdated()).isEqualTo(1);
        assertThat(snapshot(f.targetData, FolderPath.INBOX))
                .filteredOn(m -> m.flags().contains(Flag.FLAGGED))
                .singleElement()
                .satisfies(m -> assertThat(m.bytes())
                        .isEqualTo(new String(rewrite(eightBitAndNoFinalNewline()), StandardCharsets.ISO_8859_1)));
    }

    @Test
    void withAppendUidEachMessageOnceAndTheAlteredOnesReported() throws Exception {
        copiesOnceAcrossPassesAndEmptyCheckpoints(true);
    }

    @Test
    void withoutAppendUidEachMessageOnceAndTheAlteredOnesReported() throws Exception {
        copiesOnceAcrossPassesAndEmptyCheckpoints(false);
    }

    private void twoPasses(CrashScenario s) throws Exception {
        fill(s.sourceData);
        s.pass(DeletionPolicy.KEEP);
        put(s.sourceData, FolderPath.INBOX, noFinalNewline("later"), Flags.NONE);
        put(s.sourceData, FolderPath.INBOX, TestMessages.eightBitHeaders(), Flags.NONE);
        try (MailFolder inbox = s.sourceData.openFolder(FolderPath.INBOX)) {
            inbox.storeFlags(List.of(MessageUid.of(2)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            inbox.delete(List.of(MessageUid.of(3)));
        }
        s.pass(DeletionPolicy.MIRROR);
    }

    @TestFactory
    Stream<DynamicTest> everyCrashPointLeavesEachMessageOnce() throws Exception {
        return Stream.of(true, false).flatMap(appendUid -> {
            int total;
            try {
                CrashScenario clean = scenario("clean" + appendUid, appendUid);
                twoPasses(clean);
                total = clean.calls();
                clean.assertConverged();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Stream.of(false, true)
                    .map(after -> DynamicTest.dynamicTest(
                            "dying " + (after ? "after" : "before") + " each of " + total + " calls, target "
                                    + (appendUid ? "with" : "without") + " APPEND_UID",
                            () -> {
                                int crashed = 0;
                                for (int n : IntStream.rangeClosed(1, total).toArray()) {
                                    CrashScenario s = scenario("n" + n + after + appendUid, appendUid);
                                    s.crashAt(n, after);
                                    twoPasses(s);
                                    crashed += s.crashes;
                                    s.assertConverged();
                                }
                                assertThat(crashed).isEqualTo(total);
                            }));
        });
    }
}
