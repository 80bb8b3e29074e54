package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.FolderCheckpoint;
import org.mailsync.spi.JournalEntry;
import org.mailsync.spi.PairEntry;

/** The JDBC checkpoint store template, on an embedded H2 database. */
class JdbcCheckpointStoreTest {
    JdbcDataSource db;

    @BeforeEach
    void database(@TempDir Path dir) {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:file:" + dir.resolve("checkpoints") + ";DB_CLOSE_DELAY=0");
    }

    @Test
    void theEngineRunsOnItAndASecondPassEvenWithANewStoreObjectCopiesNothing() throws Exception {
        InMemoryStore source = MemoryMailboxes.filled("old", 5);
        InMemoryStore target = InMemoryStore.create("new");

        SyncReport first = SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(JdbcCheckpointStore.create(db, "anna"))
                .build()
                .run();
        // As after a restart of the program: a new store object over the same tables.
        SyncReport second = SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(JdbcCheckpointStore.create(db, "anna"))
                .build()
                .run();

        assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(first.copied()).isEqualTo(10);
        assertThat(second.copied()).isZero();
        assertThat(second.alreadyPresent()).isZero();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mailsync_checkpoint WHERE sync_id = 'anna'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void journalEntriesWrittenAfterTheSnapshotAreAppliedOnLoadAndDroppedBySave() throws Exception {
        JdbcCheckpointStore store = JdbcCheckpointStore.create(db, "anna");
        FolderPair pair = new FolderPair(FolderPath.of("Archiv", "2024"), FolderPath.of("Archive", "2024"));
        store.save(pair, FolderCheckpoint.empty());
        JournalEntry.AppendIntent intent = new JournalEntry.AppendIntent(
                1,
                Generation.of(77),
                MessageUid.of(10),
                List.of(
                        new JournalEntry.IntentItem(MessageUid.of(3), "habc", Flags.of(Flag.SEEN)),
                        new JournalEntry.IntentItem(MessageUid.of(4), "hdef", Flags.NONE)));
        store.journal(pair, intent);

        FolderCheckpoint pending = store.load(pair).orElseThrow();
        assertThat(pending.pending()).containsExactly(intent);

        store.journal(
                pair,
                new JournalEntry.AppendDone(
                        1, List.of(new PairEntry(MessageUid.of(3), MessageUid.of(10), Flags.of(Flag.SEEN)))));
        FolderCheckpoint settled = store.load(pair).orElseThrow();
        assertThat(settled.pending()).isEmpty();
        assertThat(settled.pairs()).containsKey(MessageUid.of(3));

        store.save(pair, settled);
        assertThat(store.load(pair).orElseThrow()).isEqualTo(settled);
        assertThat(store.load(new FolderPair(FolderPath.INBOX, FolderPath.INBOX)))
                .isEmpty();
    }

    @Test
    void aCheckpointWithEveryKindOfLineSurvivesTheTextForm() throws Exception {
        JournalEntry.AppendIntent intent = new JournalEntry.AppendIntent(
                5,
                Generation.of(9),
                MessageUid.of(40),
                List.of(new JournalEntry.IntentItem(
                        MessageUid.of(8),
                        "c0ffee",
                        Flags.of(java.util.Set.of(Flag.FLAGGED), java.util.Set.of("$Forwarded")))));
        FolderCheckpoint cp = new FolderCheckpoint(
                new org.mailsync.spi.SideState(Generation.of(1), MessageUid.of(9), 3, org.mailsync.ModSeq.of(12)),
                new org.mailsync.spi.SideState(Generation.of(2), MessageUid.of(40), 2, null),
                false,
                true,
                com.google.common.collect.ImmutableSortedMap.of(
                        MessageUid.of(1), new PairEntry(MessageUid.of(1), MessageUid.of(30), Flags.NONE),
                        MessageUid.of(2),
                                new PairEntry(
                                        MessageUid.of(2),
                                        MessageUid.of(31),
                                        Flags.of(
                                                java.util.Set.of(Flag.SEEN, Flag.ANSWERED),
                                                java.util.Set.of("Wichtig")))),
                com.google.common.collect.ImmutableSortedSet.of(MessageUid.of(29)),
                com.google.common.collect.ImmutableList.of(intent),
                5);

        assertThat(JdbcCheckpointStore.decodeSnapshot(JdbcCheckpointStore.encode(cp)))
                .isEqualTo(cp);
    }
}
