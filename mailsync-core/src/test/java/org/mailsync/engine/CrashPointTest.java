package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import org.mailsync.MessageUid;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;

/**
 * Exactly once across a crash, proven by brute force: a small two-pass scenario is run once to
 * count its calls, then again for every call N, dying before call N and after call N. Whatever the
 * crash point, after a restart and a clean pass the target holds every source message once.
 */
class CrashPointTest {
    @TempDir
    Path tmp;

    private static final FolderPath PROJECTS = FolderPath.of("Projects");

    private void scenario(CrashScenario s) throws Exception {
        byte[] twin = message("twin", "identical bytes");
        put(s.sourceData, FolderPath.INBOX, message("a", "1"), Flags.of(Flag.SEEN));
        put(s.sourceData, FolderPath.INBOX, twin, Flags.NONE);
        put(s.sourceData, FolderPath.INBOX, twin, Flags.NONE);
        put(
                s.sourceData,
                FolderPath.INBOX,
                "Subject: no id\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII),
                Flags.NONE);
        MessageUid d = put(s.sourceData, FolderPath.INBOX, message("d", "4"), Flags.NONE);
        put(
                s.sourceData,
                PROJECTS,
                message("p1", "1"),
                Flags.of(java.util.Set.of(Flag.SEEN), java.util.Set.of("$Forwarded")));
        put(s.sourceData, PROJECTS, message("p2", "2"), Flags.NONE);
        s.pass(DeletionPolicy.KEEP);
        put(s.sourceData, FolderPath.INBOX, message("e", "5"), Flags.NONE);
        put(s.sourceData, PROJECTS, message("p3", "3"), Flags.NONE);
        try (MailFolder inbox = s.sourceData.openFolder(FolderPath.INBOX)) {
            inbox.storeFlags(List.of(MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            inbox.delete(List.of(d));
        }
        s.pass(DeletionPolicy.MIRROR);
    }

    private CrashScenario fresh(String name, boolean appendUid) throws Exception {
        InMemoryStore target =
                appendUid ? InMemoryStore.create("memory:target") : SyncFixture.targetWithout(Capability.APPEND_UID);
        return new CrashScenario(Files.createTempDirectory(tmp, name), InMemoryStore.create("memory:source"), target);
    }

    private int callsOfACleanRun(boolean appendUid) throws Exception {
        CrashScenario clean = fresh("clean", appendUid);
        scenario(clean);
        int calls = clean.calls();
        clean.assertConverged();
        assertThat(clean.crashes).isZero();
        return calls;
    }

    @TestFactory
    Stream<DynamicTest> everyCrashPointConverges() throws Exception {
        return Stream.of(true, false).flatMap(appendUid -> {
            int total;
            try {
                total = callsOfACleanRun(appendUid);
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
                                    CrashScenario s = fresh("n" + n, appendUid);
                                    s.crashAt(n, after);
                                    scenario(s);
                                    crashed += s.crashes;
                                    s.assertConverged();
                                }
                                assertThat(crashed).as("crashes that happened").isEqualTo(total);
                            }));
        });
    }

    @Test
    void cleanScenarioNeedsNoRestart() throws Exception {
        assertThat(callsOfACleanRun(true)).isGreaterThan(20);
    }

    @Test
    void crashAfterAppendingIntoAFolderWhoseSourceGenerationChangedLeavesNoDuplicates() throws Exception {
        // Found by RandomHistoryPropertiesTest: the settled intent's pairs were dropped by the
        // re-match after the source's UIDVALIDITY change, and the twins were copied again.
        for (int crashAt = 1; crashAt <= 40; crashAt++) {
            CrashScenario s = fresh("gen" + crashAt, false);
            s.pass(DeletionPolicy.MIRROR);
            byte[] twin = message("twin", "same");
            put(s.sourceData, FolderPath.INBOX, twin, Flags.NONE);
            put(s.sourceData, FolderPath.INBOX, twin, Flags.NONE);
            put(s.sourceData, FolderPath.INBOX, twin, Flags.NONE);
            s.sourceData.resetGeneration(FolderPath.INBOX);
            s.crashAt(s.calls() + crashAt, true);
            s.pass(DeletionPolicy.MIRROR);
            s.assertConverged();
        }
    }

    @Test
    void crashAfterASourceGenerationChangeKeepsTrackOfTheTargetMessagesItCouldNotMatch() throws Exception {
        // Found by RandomHistoryPropertiesTest: the re-keyed pair map and the orphans lived only in
        // memory; after a crash the new generation's journaled pairs were applied onto the old
        // map, a pair was overwritten (same id, other generation) and a mirror pass never removed
        // the message the source had deleted.
        for (int crashAt = 1; crashAt <= 40; crashAt++) {
            CrashScenario s = fresh("orphan" + crashAt, false);
            s.sourceData.createFolder(PROJECTS);
            put(s.sourceData, PROJECTS, message("m0", "0"), Flags.NONE);
            s.pass(DeletionPolicy.MIRROR);
            try (MailFolder projects = s.sourceData.openFolder(PROJECTS)) {
                projects.delete(List.of(MessageUid.of(1)));
            }
            s.sourceData.resetGeneration(PROJECTS);
            put(s.sourceData, PROJECTS, message("m1", "1"), Flags.NONE);
            s.crashAt(s.calls() + crashAt, true);
            s.pass(DeletionPolicy.MIRROR);
            s.assertConverged();
        }
    }
}
