package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.CheckpointRecord;

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

    private static CheckpointRecord record(String key, String text) {
        return new CheckpointRecord(key, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void journalEntriesComeBackInOrderUntilSaveReplacesTheSnapshotAndDropsThem() throws Exception {
        JdbcCheckpointStore store = JdbcCheckpointStore.create(db, "anna");
        String key = "Archiv/2024 Archive/2024";
        store.save(record(key, "snapshot one\n"));
        store.append(record(key, "intent 1\n"));
        store.append(record(key, "done 1\n"));

        assertThat(store.snapshot(key)).contains(record(key, "snapshot one\n"));
        assertThat(store.journal(key)).containsExactly(record(key, "intent 1\n"), record(key, "done 1\n"));

        store.save(record(key, "snapshot two\n"));
        assertThat(store.snapshot(key)).contains(record(key, "snapshot two\n"));
        assertThat(store.journal(key)).isEmpty();
        assertThat(store.snapshot("INBOX INBOX")).isEmpty();
        assertThat(JdbcCheckpointStore.create(db, "bert").snapshot(key)).isEmpty();
    }

    @Test
    void aRecordKeepsItsVersionAndEveryByte() throws Exception {
        JdbcCheckpointStore store = JdbcCheckpointStore.create(db, "anna");
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        CheckpointRecord snapshot = new CheckpointRecord("INBOX INBOX", 7, every);
        store.save(snapshot);
        store.append(snapshot);
        assertThat(store.snapshot("INBOX INBOX")).contains(snapshot);
        assertThat(store.journal("INBOX INBOX")).containsExactly(snapshot);
    }
}
