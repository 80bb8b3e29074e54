package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;
import static org.mailsync.testing.MailboxAssertions.snapshot;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Capability;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageUid;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;

/** Flag propagation: sources without modseqs, new-mail-only passes, no updates that change nothing. */
class FlagPassesTest {
    @TempDir
    Path tmp;

    private SyncFixture withoutModseqs() throws Exception {
        SyncFixture f =
                new SyncFixture(tmp, SyncFixture.targetWithout(Capability.MODSEQ), InMemoryStore.create("memory:t"));
        for (int i = 0; i < 3; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        assertThat(f.engine().build().run().copied()).isEqualTo(3);
        try (MailFolder inbox = f.sourceData.openFolder(FolderPath.INBOX)) {
            inbox.storeFlags(List.of(MessageUid.of(2)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        return f;
    }

    @Test
    void withoutModseqsAFlagsOnlyChangeArrivesOnTheNextPass() throws Exception {
        SyncFixture f = withoutModseqs();
        SyncReport pass = f.engine().build().run();
        assertThat(pass.flagsUpdated()).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
        assertThat(pass.notes()).anyMatch(n -> n.contains("flags of every message") && n.contains("full pass"));
    }

    @Test
    void aNewMailOnlyPassMissesAFlagsOnlyChangeAndSaysSo() throws Exception {
        SyncFixture f = withoutModseqs();
        SyncReport pass = f.engine().newMailOnly(true).build().run();
        assertThat(pass.flagsUpdated()).isZero();
        assertThat(snapshot(f.targetData, FolderPath.INBOX))
                .allMatch(m -> !m.flags().contains(Flag.FLAGGED));
        assertThat(pass.notes()).anyMatch(n -> n.contains("new-mail-only pass") && n.contains("flag changes"));
        // The next normal pass brings it.
        assertThat(f.engine().build().run().flagsUpdated()).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void aRerunWithEmptyCheckpointsCountsOnlyFlagUpdatesItMakes() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.of(Flag.SEEN));
        put(f.sourceData, FolderPath.INBOX, message("b", "2"), Flags.of(Set.of(Flag.FLAGGED), Set.of("Work")));
        put(f.sourceData, FolderPath.INBOX, message("c", "3"), Flags.of(Flag.SEEN, Flag.ANSWERED));
        put(f.sourceData, FolderPath.INBOX, message("d", "4"), Flags.NONE);
        f.engine().build().run();
        MoreFiles.deleteRecursively(f.checkpoints, RecursiveDeleteOption.ALLOW_INSECURE);
        // One real difference: the target lost \Answered on "c".
        try (MailFolder inbox = f.targetData.openFolder(FolderPath.INBOX)) {
            inbox.storeFlags(List.of(MessageUid.of(3)), FlagsUpdateMode.REMOVE, Flags.of(Flag.ANSWERED));
        }
        f.target.resetCounts();
        SyncReport rerun = f.engine().build().run();
        assertThat(rerun.alreadyPresent()).isEqualTo(4);
        assertThat(rerun.copied()).isZero();
        assertThat(rerun.flagsUpdated()).isEqualTo(1);
        assertThat(f.target.count("storeFlags")).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }
}
