package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.internal.TestFolders.list;
import static org.mailsync.internal.TestFolders.put;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageFailure;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.SyncConfiguration;
import org.mailsync.SyncEngine;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.InstrumentedStore;

class CopierTest {
    private static final FolderPair PAIR = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);

    @TempDir
    Path tmp;

    private final InstrumentedStore sourceStore = new InstrumentedStore(InMemoryStore.create("memory:source"));
    private InstrumentedStore targetStore = new InstrumentedStore(InMemoryStore.create("memory:target"));
    private final ExecutorService reader = Executors.newSingleThreadExecutor();
    private final List<MailFolder> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (MailFolder f : opened) {
            f.close();
        }
        reader.shutdownNow();
    }

    private static byte[] message(String subject, int bodyBytes) {
        return ("Subject: " + subject + "\r\nMessage-ID: <" + subject + "@x>\r\n\r\n" + "b".repeat(bodyBytes) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Puts messages "m1".."m{count}" into the source; returns their listing. */
    private List<MessageInfo> source(int count, int bodyBytes) throws Exception {
        MailFolder folder = open(sourceStore);
        for (int i = 1; i <= count; i++) {
            put(folder, message("m" + i, bodyBytes));
        }
        return list(folder);
    }

    private MailFolder open(InstrumentedStore store) throws Exception {
        store.createFolder(FolderPath.INBOX);
        MailFolder folder = store.openFolder(FolderPath.INBOX);
        opened.add(folder);
        return folder;
    }

    /** Counts the pass's checks and writes real snapshots; stops the folder after {@code stopAfter} checks. */
    private static final class Steps implements Copier.Steps {
        final AtomicInteger deadlineChecks = new AtomicInteger();
        final AtomicInteger snapshots = new AtomicInteger();
        int stopAfter = Integer.MAX_VALUE;
        AppendJournal journal;
        PairMap pairs;

        @Override
        public void checkDeadline() throws FolderUnusableException {
            if (deadlineChecks.incrementAndGet() > stopAfter) {
                throw new FolderUnusableException(ErrorContext.of("memory:source", FolderPath.INBOX), "stopped", null);
            }
        }

        @Override
        public void snapshot() throws org.mailsync.StoreFailureException {
            snapshots.incrementAndGet();
            journal.save(null, null, false, false, pairs);
        }
    }

    /** One folder pass's copier and what it writes to. */
    private final class Pass {
        final SyncConfiguration config;
        final ByteBudget budget;
        final AppendJournal journal;
        final PairMap pairs = new PairMap();
        final FolderCounters counters = new FolderCounters();
        final Steps steps = new Steps();
        final MailFolder target;
        final Copier copier;

        Pass(UnaryOperator<SyncEngine.Builder> settings, long budgetBytes) throws Exception {
            config = settings.apply(SyncEngine.builder()
                            .source(sourceStore)
                            .target(targetStore)
                            .checkpoints(FileCheckpointStore.in(tmp)))
                    .build()
                    .configuration();
            budget = new ByteBudget(budgetBytes);
            journal = new AppendJournal(Checkpoints.over(config.checkpoints()), PAIR);
            journal.resume(journal.load());
            MailFolder source = open(sourceStore);
            target = open(targetStore);
            IdentityMatcher identity = new IdentityMatcher(
                    config.identity(), source, sourceStore.account(), target, targetStore.account());
            steps.journal = journal;
            steps.pairs = pairs;
            copier = new Copier(
                    config,
                    new RunContext(budget, reader, note -> {}, Set.of(FolderPath.INBOX), Instant.MAX),
                    PAIR,
                    source,
                    target,
                    identity,
                    new FlagPropagation(config.flagMapping(), config.flagPolicy(), true),
                    journal,
                    new Settler(journal, pairs, pairs::put, identity, source, target, counters),
                    counters,
                    steps);
        }

        FolderReport report() {
            return counters.report(PAIR, FolderReport.Outcome.SYNCED, null, Duration.ZERO);
        }

        List<String> targetSubjects() throws Exception {
            List<String> subjects = new ArrayList<>();
            List<MessageUid> uids = list(target).stream().map(MessageInfo::uid).toList();
            target.readAll(uids, (uid, raw) -> {
                try (raw) {
                    String text = new String(raw.toByteArray(), StandardCharsets.US_ASCII);
                    subjects.add(text.substring("Subject: ".length(), text.indexOf("\r\n")));
                }
            });
            return subjects;
        }
    }

    @Test
    void batchesAreCutByCountAndBytesAndEachIsAnIntentSettledAtOnce() throws Exception {
        List<MessageInfo> toCopy = source(7, 100);
        Pass pass = new Pass(b -> b.batchSize(3), 1 << 20);

        pass.copier.copyAll(toCopy);

        assertThat(targetStore.count("appendAll")).isEqualTo(3); // 3 + 3 + 1
        assertThat(pass.steps.deadlineChecks).hasValue(3);
        assertThat(pass.pairs.entries())
                .extracting(PairEntry::source)
                .containsExactlyElementsOf(toCopy.stream().map(MessageInfo::uid).toList());
        assertThat(pass.journal.pending()).isEmpty();
        assertThat(new AppendJournal(Checkpoints.over(pass.config.checkpoints()), PAIR)
                        .load()
                        .pairs())
                .hasSize(7);
        long bytes = toCopy.stream().mapToLong(MessageInfo::size).sum();
        assertThat(pass.report().copied()).isEqualTo(7);
        assertThat(pass.report().copiedBytes()).isEqualTo(bytes);
        assertThat(pass.budget.inUse()).isZero();

        // By bytes: two messages of a batch would pass the byte limit, so each goes alone.
        targetStore = new InstrumentedStore(InMemoryStore.create("memory:target2"));
        // In source order (MessageOrder.SOURCE): one slice, so target ids follow source ids.
        Pass byBytes = new Pass(
                b -> b.batchSize(3).batchBytes(toCopy.get(0).size() + 1).messageOrder(org.mailsync.MessageOrder.SOURCE),
                1 << 20);
        byBytes.copier.copyAll(toCopy);
        assertThat(targetStore.count("appendAll")).isEqualTo(7);
        assertThat(byBytes.targetSubjects()).containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7");
    }

    @Test
    void anInterimSnapshotIsWrittenEveryTwentyFiveBatches() throws Exception {
        List<MessageInfo> toCopy = source(60, 10);
        Pass pass = new Pass(b -> b.batchSize(1), 1 << 20);

        pass.copier.copyAll(toCopy);

        assertThat(pass.steps.snapshots).hasValue(2);
        assertThat(pass.report().copied()).isEqualTo(60);
    }

    @Test
    void aMessageOverTheTargetsLimitFailsAndTheRestIsCopied() throws Exception {
        targetStore = new InstrumentedStore(InMemoryStore.builder()
                .account("memory:target")
                .maxMessageSize(500)
                .build());
        source(2, 10);
        MailFolder folder = open(sourceStore);
        put(folder, message("big", 1000));
        List<MessageInfo> toCopy = list(folder);
        Pass pass = new Pass(b -> b, 1 << 20);

        pass.copier.copyAll(toCopy);

        assertThat(pass.targetSubjects()).containsExactly("m1", "m2");
        assertThat(pass.report().failures())
                .extracting(MessageFailure::reason)
                .singleElement()
                .asString()
                .contains("exceeds the target's limit of 500 bytes");
    }

    @Test
    void aMessageTheTargetRefusesFailsAloneAndTheRestOfItsBatchGoesOneByOne() throws Exception {
        List<MessageInfo> toCopy = source(5, 10);
        MessageUid refused = toCopy.get(2).uid();
        targetStore.hook(new InstrumentedStore.Hook() {
            @Override
            public void beforeAppend(FolderPath folder, AppendRequest request) throws MailStoreException {
                if (new String(request.message().toByteArray(), StandardCharsets.US_ASCII)
                        .startsWith("Subject: m3\r")) {
                    throw new MessageRejectedException(ErrorContext.of("memory:target", folder), "too ugly", null);
                }
            }
        });
        Pass pass = new Pass(b -> b.batchSize(5), 1 << 20);

        pass.copier.copyAll(toCopy);

        assertThat(pass.targetSubjects()).containsExactly("m1", "m2", "m4", "m5");
        assertThat(pass.pairs.entries())
                .extracting(PairEntry::source)
                .doesNotContain(refused)
                .hasSize(4);
        assertThat(pass.report().failures()).singleElement().satisfies(f -> {
            assertThat(f.context().uid()).isEqualTo(refused);
            assertThat(f.reason()).contains("rejected by the target: too ugly");
        });
        assertThat(pass.report().copied()).isEqualTo(4);
        assertThat(pass.journal.pending()).isEmpty();
    }

    @Test
    void aMessageTheSourceCannotReadFailsAloneAndTheRestOfItsBatchIsCopied() throws Exception {
        List<MessageInfo> toCopy = source(3, 10);
        AtomicInteger reads = new AtomicInteger();
        sourceStore.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) throws MailStoreException {
                // The batch read fails, then the second message read alone.
                if (op.equals("readAll") || (op.equals("read") && reads.incrementAndGet() == 2)) {
                    throw new MessageRejectedException(ErrorContext.of("memory:source", folder), "unreadable", null);
                }
            }
        });
        Pass pass = new Pass(b -> b, 1 << 20);

        pass.copier.copyAll(toCopy);

        assertThat(pass.targetSubjects()).containsExactly("m1", "m3");
        assertThat(pass.report().failures()).singleElement().satisfies(f -> {
            assertThat(f.context().uid()).isEqualTo(toCopy.get(1).uid());
            assertThat(f.reason()).isEqualTo("cannot read from the source: unreadable");
        });
        assertThat(pass.budget.inUse()).isZero();
    }

    @Test
    void aBudgetSmallerThanABatchStillCopiesEverythingAndAllOfItIsGivenBack() throws Exception {
        List<MessageInfo> toCopy = source(20, 200);
        Pass pass = new Pass(b -> b.batchSize(4), 100);

        pass.copier.copyAll(toCopy);

        assertThat(pass.report().copied()).isEqualTo(20);
        assertThat(pass.budget.inUse()).isZero();
    }

    @Test
    void aFailureOrADeadlineStopsCopyingAndTheBatchReadAheadIsGivenBack() throws Exception {
        List<MessageInfo> toCopy = source(10, 10);
        Pass stopped = new Pass(b -> b.batchSize(2).messageOrder(org.mailsync.MessageOrder.SOURCE), 1 << 20);
        stopped.steps.stopAfter = 2;

        assertThatThrownBy(() -> stopped.copier.copyAll(toCopy)).isInstanceOf(FolderUnusableException.class);
        assertThat(stopped.targetSubjects()).containsExactly("m1", "m2", "m3", "m4");
        assertThat(stopped.budget.inUse()).isZero();

        // In slices (MessageOrder.FASTEST): every slice stops, and every read ahead is given back.
        targetStore = new InstrumentedStore(InMemoryStore.create("memory:target-sliced"));
        Pass sliced = new Pass(b -> b.batchSize(2), 1 << 20);
        sliced.steps.stopAfter = 2;
        assertThatThrownBy(() -> sliced.copier.copyAll(toCopy)).isInstanceOf(FolderUnusableException.class);
        assertThat(sliced.targetSubjects()).hasSize(4);
        assertThat(sliced.budget.inUse()).isZero();
        assertThat(sliced.journal.pending()).isEmpty();

        targetStore = new InstrumentedStore(InMemoryStore.create("memory:target2"));
        AtomicInteger appends = new AtomicInteger();
        targetStore.hook(new InstrumentedStore.Hook() {
            @Override
            public void beforeAppend(FolderPath folder, AppendRequest request) throws MailStoreException {
                if (appends.incrementAndGet() == 5) {
                    throw new ConnectionException(ErrorContext.of("memory:target2", folder), "connection lost", null);
                }
            }
        });
        Pass lost = new Pass(b -> b.batchSize(2).messageOrder(org.mailsync.MessageOrder.SOURCE), 1 << 20);
        assertThatThrownBy(() -> lost.copier.copyAll(toCopy)).isInstanceOf(ConnectionException.class);
        assertThat(lost.budget.inUse()).isZero();
        // The batch cut short stays pending: the next pass settles it.
        assertThat(lost.journal.pending()).hasSize(1);
    }

    @Test
    void aDryRunCountsWhatItWouldCopyAndWritesNothing() throws Exception {
        List<MessageInfo> toCopy = source(3, 10);
        Pass pass = new Pass(b -> b.dryRun(true), 1 << 20);

        pass.copier.copyAll(toCopy);

        assertThat(pass.report().copied()).isEqualTo(3);
        assertThat(targetStore.count("appendAll") + sourceStore.count("readAll"))
                .isZero();
        assertThat(pass.journal.pending()).isEmpty();
        assertThat(list(pass.target)).isEmpty();
    }
}
