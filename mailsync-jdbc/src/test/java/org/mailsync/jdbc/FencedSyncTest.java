package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageOrder;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.InstrumentedStore;

/**
 * The engine over the JDBC checkpoint store when a run loses its lease in the middle of a pass:
 * run A is stalled after its third append batch, its lease moves on to run B, and A stops at its
 * next checkpoint write, appending nothing more; B then finishes with every message once.
 */
class FencedSyncTest {
    private static final int MESSAGES = 60;
    private static final int BATCH = 5;
    private static final int STALLED_AFTER_BATCH = 3;
    /** Slices of the folder under FASTEST (connections per folder). */
    private static final int SLICES = 4;

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

    static byte[] message(int n) {
        return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: message " + n
                        + "\r\nDate: Sun, 1 Jun 2025 10:00:00 +0200\r\nMessage-ID: <m" + n
                        + "@example.org>\r\n\r\nbody " + n + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static InMemoryStore sourceWith(int count) throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < count; i++) {
                try (RawMessage raw = RawMessage.of(message(i))) {
                    inbox.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2025-06-01T08:00:00Z")));
                }
            }
        }
        return source;
    }

    /** The Message-IDs in the target's INBOX, one per message, duplicates included. */
    static List<String> messageIds(MailStore store) throws Exception {
        List<String> ids = new ArrayList<>();
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageUid> uids = new ArrayList<>();
            inbox.list(MessageQuery.all(), batch -> batch.forEach(m -> uids.add(m.uid())));
            for (MessageUid uid : uids) {
                try (RawMessage raw = inbox.read(uid).orElseThrow()) {
                    String text = new String(raw.toByteArray(), StandardCharsets.US_ASCII);
                    int at = text.indexOf("Message-ID: <");
                    ids.add(text.substring(at + 13, text.indexOf('>', at)));
                }
            }
        }
        return ids;
    }

    /**
     * @param stall how A loses its lease: "paused" sleeps past the lease (the local deadline stops
     *     A, as after SIGSTOP); "taken" ends it in the database while A's local deadline has time
     *     left (the database fence stops A)
     * @param order SOURCE: one connection, so A has appended exactly its first three batches when it
     *     stalls; FASTEST (the default): the folder is copied in slices, so the other slices go on
     *     appending while the lease is still A's, and only what follows the takeover is refused: a
     *     batch another slice wrote its intent for while the lease was A's may still go out after
     *     the takeover (an append under way is not taken back), but no later one
     */
    @ParameterizedTest
    @CsvSource({"paused, SOURCE", "taken, SOURCE", "paused, FASTEST", "taken, FASTEST"})
    void aRunWhoseLeaseMovedOnStopsBeforeItsNextAppendAndTheNextRunCopiesEachMessageOnce(
            String stall, MessageOrder order) throws Exception {
        String mailbox = "fenced-" + stall + "-" + order + "@example.org";
        InMemoryStore sourceData = sourceWith(MESSAGES);
        InMemoryStore targetData = InMemoryStore.create("memory:target");
        InstrumentedStore target = new InstrumentedStore(targetData);
        Duration length = Duration.ofMillis(stall.equals("paused") ? 2_000 : 30_000);
        try (MailboxLeases leases = MailboxLeases.over(pg.dataSource(), length)) {
            Lease a = leases.acquire(mailbox, "worker-a").orElseThrow();
            // Renewed while A runs, as a worker does; a stalled process renews nothing.
            MailboxLeases.Renewal renewal = leases.keepRenewed(a);
            AtomicInteger batches = new AtomicInteger();
            AtomicBoolean takenOver = new AtomicBoolean();
            AtomicInteger appendsAfterTakeover = new AtomicInteger();
            List<Lease> b = new ArrayList<>();
            target.hook(new InstrumentedStore.Hook() {
                @Override
                public void before(String op, FolderPath folder) {
                    if (op.equals("append") && takenOver.get()) {
                        appendsAfterTakeover.incrementAndGet();
                    }
                }

                @Override
                public void after(String op, FolderPath folder) throws MailStoreException {
                    if (!op.equals("appendAll") || batches.incrementAndGet() != STALLED_AFTER_BATCH) {
                        return;
                    }
                    try {
                        if (stall.equals("paused")) {
                            renewal.close();
                            Thread.sleep(length.toMillis() + 200);
                        } else {
                            try (Connection c = pg.dataSource().getConnection();
                                    Statement st = c.createStatement()) {
                                st.execute("update mailsync_lease set expires_at = now() where mailbox = '" + mailbox
                                        + "'");
                            }
                        }
                        // A renewal in flight when A stalled may have moved the expiry a little later.
                        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                        Optional<Lease> taken = leases.acquire(mailbox, "worker-b");
                        while (taken.isEmpty() && System.nanoTime() < until) {
                            Thread.sleep(100);
                            taken = leases.acquire(mailbox, "worker-b");
                        }
                        b.add(taken.orElseThrow());
                        takenOver.set(true);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            SyncReport runA = SyncEngine.builder()
                    .source(sourceData)
                    .target(target)
                    .checkpoints(JdbcCheckpointStore.fencedBy(leases, a))
                    .batchSize(BATCH)
                    .messageOrder(order)
                    .connectionsPerFolder(SLICES)
                    .build()
                    .run();

            renewal.close();
            assertThat(takenOver).isTrue();
            assertThat(runA.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            assertThat(runA.optionalAccountError().orElseThrow())
                    .contains("lost its hold on checkpoint of mailbox " + mailbox);
            if (order == MessageOrder.SOURCE) {
                assertThat(appendsAfterTakeover).hasValue(0);
            } else {
                // At most the batches the other slices had under way: none started after it.
                assertThat(appendsAfterTakeover.get()).isLessThanOrEqualTo((SLICES - 1) * BATCH);
            }
            int appendedByA = messageIds(targetData).size();
            if (order == MessageOrder.SOURCE) {
                assertThat(appendedByA).isEqualTo(STALLED_AFTER_BATCH * BATCH);
            } else {
                assertThat(appendedByA).isBetween(STALLED_AFTER_BATCH * BATCH, MESSAGES);
            }

            // B goes on from A's checkpoint: the last batch A appended but could not settle is
            // found by identity, not copied again.
            target.hook(new InstrumentedStore.Hook() {});
            SyncReport runB = SyncEngine.builder()
                    .source(sourceData)
                    .target(target)
                    .checkpoints(JdbcCheckpointStore.fencedBy(leases, b.get(0)))
                    .batchSize(BATCH)
                    .messageOrder(order)
                    .build()
                    .run();
            assertThat(runB.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            assertThat(runB.copied()).isEqualTo(MESSAGES - appendedByA);
            List<String> ids = messageIds(targetData);
            assertThat(ids).hasSize(MESSAGES).doesNotHaveDuplicates();
        }
    }
}
