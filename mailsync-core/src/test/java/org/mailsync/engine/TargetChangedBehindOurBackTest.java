package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;
import static org.mailsync.testing.MailboxAssertions.snapshot;

import com.google.common.collect.ImmutableSortedMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.DeletionPolicy;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MessageUid;
import org.mailsync.SyncReport;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.PairEntry;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * The target folder changes behind the sync's back (deleted, re-created, renumbered, emptied,
 * partly emptied) or the checkpoint is wrong: a pass checks the target before trusting the
 * checkpoint, restores what is missing by identity without duplicates, and never changes flags
 * or deletes on a message the checkpoint pairs wrongly.
 */
class TargetChangedBehindOurBackTest {
    @TempDir
    Path tmp;

    private static final FolderPath PROJECTS = FolderPath.of("Projects");

    private SyncFixture synced(int messages) throws Exception {
        return synced(new SyncFixture(tmp), messages);
    }

    private static FolderReport projects(SyncReport report) {
        return report.folders().stream()
                .filter(r -> r.pair().source().equals(PROJECTS))
                .findFirst()
                .orElseThrow();
    }

    private static SyncFixture synced(SyncFixture f, int messages) throws Exception {
        for (int i = 0; i < messages; i++) {
            // Different sizes, so that a swapped pair is told by size.
            put(f.sourceData, PROJECTS, message("m" + i, "body " + "x".repeat(i)), Flags.NONE);
        }
        SyncReport first = f.engine().build().run();
        assertThat(first.copied()).isEqualTo(messages);
        return f;
    }

    private static void assertRestored(SyncFixture f, SyncReport report, int messages) throws Exception {
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(report.copied()).isEqualTo(messages);
        assertSameMessages(f.sourceData, PROJECTS, f.targetData, PROJECTS);
    }

    @Test
    void aDeletedTargetFolderIsCreatedAndFilledAgain() throws Exception {
        SyncFixture f = synced(10);
        f.targetData.deleteFolder(PROJECTS);
        assertRestored(f, f.engine().build().run(), 10);
        assertThat(f.engine().build().run().folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.UNCHANGED);
    }

    @Test
    void aTargetFolderDeletedAndCreatedAgainEmptyIsFilledAgain() throws Exception {
        SyncFixture f = synced(10);
        f.targetData.deleteFolder(PROJECTS);
        f.targetData.createFolder(PROJECTS);
        assertRestored(f, f.engine().build().run(), 10);
    }

    @Test
    void aTargetFolderEmptiedInPlaceIsFilledAgain() throws Exception {
        SyncFixture f = synced(10);
        try (MailFolder folder = f.targetData.openFolder(PROJECTS)) {
            List<MessageUid> all = new ArrayList<>();
            folder.list(MessageQuery.all(), batch -> batch.forEach(m -> all.add(m.uid())));
            folder.delete(all);
        }
        SyncReport report = f.engine().build().run();
        assertRestored(f, report, 10);
        assertThat(report.notes()).anyMatch(n -> n.contains("none of the 10 messages"));
    }

    @Test
    void aRenumberedTargetFolderIsMatchedAgainAndFlagChangesLandOnTheRightMessages() throws Exception {
        SyncFixture f = synced(6);
        // Renumber so that ids shift: delete the first target message, then renumber from 1.
        try (MailFolder folder = f.targetData.openFolder(PROJECTS)) {
            folder.delete(List.of(MessageUid.of(1)));
        }
        f.targetData.resetGeneration(PROJECTS);
        try (MailFolder folder = f.sourceData.openFolder(PROJECTS)) {
            folder.storeFlags(List.of(MessageUid.of(4)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        // Renumbered (and one message gone): matched again by identity, the missing one restored.
        assertThat(report.copied()).isEqualTo(1);
        assertThat(report.flagsUpdated()).isEqualTo(1);
        assertSameMessages(f.sourceData, PROJECTS, f.targetData, PROJECTS);
    }

    @Test
    void aRenumberedTargetWithAnUnchangedSourceIsNoticedAndLeftWithoutDuplicates() throws Exception {
        SyncFixture f = synced(6);
        f.targetData.resetGeneration(PROJECTS);
        SyncReport report = f.engine().build().run();
        assertThat(projects(report).outcome()).isEqualTo(FolderReport.Outcome.SYNCED);
        assertThat(report.copied()).isZero();
        assertSameMessages(f.sourceData, PROJECTS, f.targetData, PROJECTS);
        // And a flag change after it lands on the right message.
        try (MailFolder folder = f.sourceData.openFolder(PROJECTS)) {
            folder.storeFlags(List.of(MessageUid.of(2)), FlagsUpdateMode.ADD, Flags.of(Flag.SEEN));
        }
        assertThat(f.engine().build().run().flagsUpdated()).isEqualTo(1);
        assertSameMessages(f.sourceData, PROJECTS, f.targetData, PROJECTS);
    }

    /**
     * By design, a message this sync copied and the target's user deleted (the folder itself
     * neither wiped nor renumbered) is not copied again: the pass says so in a note.
     */
    @Test
    void messagesTheTargetUserDeletedAreNotCopiedAgainAndTheReportSaysSo() throws Exception {
        SyncFixture f = synced(10);
        try (MailFolder folder = f.targetData.openFolder(PROJECTS)) {
            folder.delete(
                    List.of(MessageUid.of(1), MessageUid.of(3), MessageUid.of(5), MessageUid.of(7), MessageUid.of(9)));
        }
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(report.copied()).isZero();
        assertThat(report.notes()).anyMatch(n -> n.contains("5 messages this sync copied were deleted on the target"));
        assertThat(snapshot(f.targetData, PROJECTS)).hasSize(5);
        assertThat(f.engine().build().run().folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.UNCHANGED);
    }

    private static void swapFirstTwoTargets(SyncFixture f) throws Exception {
        Checkpoints store = Checkpoints.over(FileCheckpointStore.in(f.checkpoints));
        FolderPair pair = new FolderPair(PROJECTS, PROJECTS);
        FolderCheckpoint cp = store.load(pair).orElseThrow();
        TreeMap<MessageUid, PairEntry> pairs = new TreeMap<>(cp.pairs());
        PairEntry a = pairs.get(MessageUid.of(1));
        PairEntry b = pairs.get(MessageUid.of(2));
        pairs.put(a.source(), new PairEntry(a.source(), b.target(), a.syncedFlags()));
        pairs.put(b.source(), new PairEntry(b.source(), a.target(), b.syncedFlags()));
        store.save(
                pair,
                new FolderCheckpoint(
                        cp.source(),
                        cp.target(),
                        cp.complete(),
                        cp.mirrored(),
                        ImmutableSortedMap.copyOf(pairs),
                        cp.orphans(),
                        cp.pending(),
                        cp.lastIntentId()));
    }

    @Test
    void aCheckpointWithSwappedTargetIdsStopsTheFolderBeforeAFlagChange() throws Exception {
        SyncFixture f = synced(4);
        swapFirstTwoTargets(f);
        try (MailFolder folder = f.sourceData.openFolder(PROJECTS)) {
            folder.storeFlags(List.of(MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
        assertThat(projects(report).error()).contains("checkpoint", "is wrong", "source message 1");
        assertThat(snapshot(f.targetData, PROJECTS)).allMatch(m -> m.flags().equals(Flags.NONE));
    }

    /**
     * A pair whose source is gone cannot be checked against it; the swap is seen on the other pair,
     * whose source is listed. (A QRESYNC delta pass lists only changed messages: there only those
     * are checked.)
     */
    @Test
    void aCheckpointWithSwappedTargetIdsStopsTheFolderBeforeAMirrorDeletion() throws Exception {
        SyncFixture f = synced(
                new SyncFixture(
                        tmp,
                        SyncFixture.targetWithout(org.mailsync.Capability.MODSEQ),
                        org.mailsync.memory.InMemoryStore.create("memory:target")),
                4);
        f.engine().deletions(DeletionPolicy.MIRROR).build().run();
        swapFirstTwoTargets(f);
        try (MailFolder folder = f.sourceData.openFolder(PROJECTS)) {
            folder.delete(List.of(MessageUid.of(1)));
        }
        SyncReport report = f.engine().deletions(DeletionPolicy.MIRROR).build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
        assertThat(projects(report).error()).contains("is wrong");
        assertThat(snapshot(f.targetData, PROJECTS)).hasSize(4);
    }
}
