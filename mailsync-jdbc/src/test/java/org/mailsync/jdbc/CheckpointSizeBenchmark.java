package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

/**
 * What checkpoints cost in PostgreSQL per message synced: rows written, bytes kept, WAL written.
 * In-memory source and target, the engine's default batch of 100. Prints figures for JDBC.md;
 * run with {@code -Pbenchmark -Dtest=CheckpointSizeBenchmark}. The test server runs with {@code
 * full_page_writes=off}: a production server writes more WAL (full pages after each checkpoint).
 */
@Tag("benchmark")
class CheckpointSizeBenchmark {
    private static PostgresServer pg;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        Schema.migrate(pg.dataSource());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    /** Counts the writes a store gets. */
    static final class Counting implements CheckpointStore {
        final CheckpointStore delegate;
        final AtomicLong appends;
        final AtomicLong saves;

        Counting(CheckpointStore delegate, AtomicLong appends, AtomicLong saves) {
            this.delegate = delegate;
            this.appends = appends;
            this.saves = saves;
        }

        @Override
        public Optional<CheckpointRecord> snapshot(String key) throws java.io.IOException {
            return delegate.snapshot(key);
        }

        @Override
        public List<CheckpointRecord> journal(String key) throws java.io.IOException {
            return delegate.journal(key);
        }

        @Override
        public void save(CheckpointRecord snapshot) throws java.io.IOException {
            saves.incrementAndGet();
            delegate.save(snapshot);
        }

        @Override
        public void append(CheckpointRecord entry) throws java.io.IOException {
            appends.incrementAndGet();
            delegate.append(entry);
        }

        @Override
        public CheckpointLock lock() throws java.io.IOException, InterruptedException {
            return delegate.lock();
        }
    }

    private static long query(String sql) throws Exception {
        try (Connection c = pg.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = pg.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long tableBytes() throws Exception {
        return query("select pg_total_relation_size('mailsync_checkpoint_snapshot')"
                + " + pg_total_relation_size('mailsync_checkpoint_journal')");
    }

    private static void measure(int mailboxes, int perMailbox) throws Exception {
        execute("truncate mailsync_checkpoint_snapshot, mailsync_checkpoint_journal, mailsync_lease");
        execute("vacuum full mailsync_checkpoint_snapshot, mailsync_checkpoint_journal");
        long tablesBefore = tableBytes();
        long walBefore = query("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        AtomicLong appends = new AtomicLong();
        AtomicLong saves = new AtomicLong();
        long started = System.nanoTime();
        try (MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(60))) {
            InMemoryStore source = FencedSyncTest.sourceWith(perMailbox);
            for (int m = 0; m < mailboxes; m++) {
                Lease lease =
                        leases.acquire("size-" + m + "@example.org", "bench").orElseThrow();
                SyncReport report = SyncEngine.builder()
                        .source(source)
                        .target(InMemoryStore.create("memory:target-" + m))
                        .checkpoints(new Counting(JdbcCheckpointStore.fencedBy(leases, lease), appends, saves))
                        .build()
                        .run();
                assertThat(report.copied()).isEqualTo(perMailbox);
                leases.release(lease);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long messages = (long) mailboxes * perMailbox;
        long walBytes = query("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint") - walBefore;
        long live = tableBytes() - tablesBefore;
        long data = query("select coalesce(sum(octet_length(data)), 0) from mailsync_checkpoint_snapshot");
        long rows = query("select count(*) from mailsync_checkpoint_snapshot");
        execute("vacuum full mailsync_checkpoint_snapshot, mailsync_checkpoint_journal");
        long packed = tableBytes() - tablesBefore;
        System.out.printf(
                Locale.ROOT,
                "checkpoint cost, %d mailboxes x %d messages (%d messages, %.1f s):%n"
                        + "  journal rows written %.3f/message, snapshots saved %.3f/message (%d snapshot rows kept)%n"
                        + "  snapshot data %.1f bytes/message; tables %.1f bytes/message as left, %.1f after VACUUM FULL%n"
                        + "  WAL %.1f bytes/message (full_page_writes off)%n",
                mailboxes,
                perMailbox,
                messages,
                seconds,
                appends.get() / (double) messages,
                saves.get() / (double) messages,
                rows,
                data / (double) messages,
                live / (double) messages,
                packed / (double) messages,
                walBytes / (double) messages);
    }

    @Test
    void bytesAndWritesPerMessage() throws Exception {
        measure(200, 20);
        measure(2, 5_000);
    }
}
