package org.mailsync.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageFailure;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncConfiguration;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * The pipelined copier of one folder pass: cuts the messages to copy into batches (by count and
 * bytes), reads batch k+1 on the run's reader thread while batch k is appended, within the run's
 * byte budget, and appends each batch under a journaled intent that is settled after it. A
 * message over the target's size limit, refused by the target or unreadable on the source is a
 * message failure; the rest of its batch goes on one by one.
 *
 * <p>Not thread-safe; one instance per folder pass, called on the folder's thread (it uses the
 * reader thread itself).
 */
final class Copier {
    /** What the copier asks of its pass between batches. */
    interface Steps {
        /** Stops the folder once its deadline has passed: called before each append. */
        void checkDeadline() throws FolderUnusableException;

        /** Writes an interim snapshot: called when the journal says one is due. */
        void snapshot() throws StoreFailureException;
    }

    private final SyncConfiguration config;
    private final RunContext context;
    private final FolderPair pair;
    private final MailFolder source;
    private final @Nullable MailFolder target;
    private final IdentityMatcher identity;
    private final FlagPropagation flags;
    private final AppendJournal journal;
    private final Settler settler;
    private final FolderCounters counters;
    private final Steps steps;

    /** @param target null where a dry run finds no target folder (a dry run appends nothing) */
    Copier(
            SyncConfiguration config,
            RunContext context,
            FolderPair pair,
            MailFolder source,
            @Nullable MailFolder target,
            IdentityMatcher identity,
            FlagPropagation flags,
            AppendJournal journal,
            Settler settler,
            FolderCounters counters,
            Steps steps) {
        this.config = config;
        this.context = context;
        this.pair = pair;
        this.source = source;
        this.target = target;
        this.identity = identity;
        this.flags = flags;
        this.journal = journal;
        this.settler = settler;
        this.counters = counters;
        this.steps = steps;
    }

    /**
     * Copies these source messages (unpaired, selected): a message over the target's size limit
     * is a failure; the rest go in batches by count and bytes, pipelined. A dry run only counts.
     */
    void copyAll(List<MessageInfo> toCopy) throws MailStoreException, InterruptedException {
        long max = config.target().capabilities().maxMessageSize().orElse(Long.MAX_VALUE);
        List<List<MessageInfo>> batches = new ArrayList<>();
        List<MessageInfo> batch = new ArrayList<>();
        long batchBytes = 0;
        for (MessageInfo m : toCopy) {
            if (m.size() > max) {
                counters.failed(new MessageFailure(
                        ErrorContext.of(config.source().account(), pair.source(), m.uid()),
                        "message of " + m.size() + " bytes exceeds the target's limit of " + max + " bytes"));
                continue;
            }
            if (config.dryRun()) {
                counters.copied(m.size());
                continue;
            }
            if (!batch.isEmpty()
                    && (batch.size() >= config.batchSize() || batchBytes + m.size() > config.batchBytes())) {
                batches.add(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
            batch.add(m);
            batchBytes += m.size();
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        copyPipelined(batches);
    }

    /**
     * Reads batch k+1 from the source on the reader thread while this thread appends batch k to
     * the target: on IMAP each side has its own connection, so neither waits for the other.
     */
    private void copyPipelined(List<List<MessageInfo>> batches) throws MailStoreException, InterruptedException {
        if (batches.isEmpty()) {
            return;
        }
        Future<Loaded> next = context.reader().submit(() -> load(batches.get(0)));
        try {
            for (int k = 0; k < batches.size(); k++) {
                // Set for every batch but the first by the previous round, before it can be null.
                Loaded current = await(java.util.Objects.requireNonNull(next));
                next = null;
                try {
                    if (k + 1 < batches.size()) {
                        List<MessageInfo> following = batches.get(k + 1);
                        next = context.reader().submit(() -> load(following));
                    }
                    steps.checkDeadline();
                    append(current.items());
                    maybeSnapshot();
                } finally {
                    current.close();
                }
            }
        } finally {
            if (next != null) {
                // Stopped early (a failure): wait for the read under way and free what it holds.
                try {
                    await(next).close();
                } catch (MailStoreException | RuntimeException e) {
                    // The failure that stopped us is the one to report.
                }
            }
        }
    }

    private static Loaded await(Future<Loaded> future) throws MailStoreException, InterruptedException {
        return Futures.await(future, MailStoreException.class);
    }

    /** A batch read from the source: its messages, holding part of the run's byte budget. */
    private final class Loaded implements AutoCloseable {
        private final List<Item> items;
        private final long taken;

        Loaded(List<Item> items, long taken) {
            this.items = items;
            this.taken = taken;
        }

        List<Item> items() {
            return items;
        }

        @Override
        public void close() {
            items.forEach(i -> i.raw().close());
            context.budget().release(taken);
        }
    }

    /** Reads one batch (on the reader thread); a message the source refuses is reported alone. */
    private Loaded load(List<MessageInfo> batch) throws MailStoreException, InterruptedException {
        long bytes = batch.stream().mapToLong(MessageInfo::size).sum();
        long taken = context.budget().acquire(bytes);
        Map<MessageUid, RawMessage> raws = new LinkedHashMap<>();
        try {
            try {
                source.readAll(batch.stream().map(MessageInfo::uid).toList(), raws::put);
            } catch (MessageRejectedException e) {
                raws.values().forEach(RawMessage::close);
                raws.clear();
                for (MessageInfo m : batch) {
                    try {
                        source.read(m.uid()).ifPresent(raw -> raws.put(m.uid(), raw));
                    } catch (MessageRejectedException one) {
                        config.listener().error(one);
                        counters.failed(new MessageFailure(
                                ErrorContext.of(config.source().account(), pair.source(), m.uid()),
                                "cannot read from the source: " + one.reason()));
                    }
                }
            }
            List<Item> items = new ArrayList<>();
            for (MessageInfo m : batch) {
                RawMessage raw = raws.get(m.uid());
                if (raw == null) {
                    continue; // expunged on the source since the listing, or refused: reported
                }
                String key;
                try (InputStream in = raw.openStream()) {
                    key = identity.key(m, in);
                } catch (IOException e) {
                    throw identity.readFailure(source, m.uid(), e);
                }
                items.add(new Item(m, raw, key, flags.targetFlags(m.flags())));
            }
            return new Loaded(items, taken);
        } catch (MailStoreException | RuntimeException e) {
            raws.values().forEach(RawMessage::close);
            context.budget().release(taken);
            throw e;
        }
    }

    private record Item(MessageInfo info, RawMessage raw, String key, Flags targetFlags) {}

    private void append(List<Item> items) throws MailStoreException {
        if (items.isEmpty()) {
            return;
        }
        // append runs only outside a dry run, where the target folder is open.
        MailFolder target = java.util.Objects.requireNonNull(this.target, "no target folder in a dry run");
        FolderStatus before = target.status();
        JournalEntry.AppendIntent intent = journal.intend(
                before.generation(),
                before.nextUid(),
                items.stream()
                        .map(i -> new JournalEntry.IntentItem(
                                i.info().uid(), i.key(), i.info().flags()))
                        .toList());
        List<PairEntry> made;
        try {
            List<Optional<MessageUid>> ids = target.appendAll(items.stream()
                    .map(i ->
                            new AppendRequest(i.raw(), i.targetFlags(), i.info().internalDate()))
                    .toList());
            made = new ArrayList<>();
            for (int k = 0; k < items.size(); k++) {
                if (ids.get(k).isEmpty()) {
                    made = null;
                    break;
                }
                made.add(new PairEntry(
                        items.get(k).info().uid(),
                        ids.get(k).get(),
                        items.get(k).info().flags()));
            }
            if (made == null) {
                made = settler.resolve(intent, sentSizes(items)); // the store cannot tell ids: find them by identity
            } else {
                settler.noticeAltered(sentSizes(items), made);
            }
        } catch (MessageRejectedException e) {
            List<PairEntry> partial = settler.resolve(intent, sentSizes(items));
            settler.settle(intent, partial);
            countCopied(items, partial);
            if (items.size() == 1) {
                config.listener().error(e);
                counters.failed(new MessageFailure(
                        ErrorContext.of(
                                config.target().account(),
                                pair.target(),
                                items.get(0).info().uid()),
                        "source message " + items.get(0).info().uid() + " rejected by the target: " + e.reason()));
                return;
            }
            // Find the culprit: the messages not appended go again one by one.
            Set<MessageUid> done = new HashSet<>();
            partial.forEach(p -> done.add(p.source()));
            for (Item item : items) {
                if (!done.contains(item.info().uid())) {
                    steps.checkDeadline();
                    append(List.of(item));
                }
            }
            return;
        }
        settler.settle(intent, made);
        countCopied(items, made);
    }

    private void countCopied(List<Item> items, List<PairEntry> made) {
        Set<MessageUid> done = new HashSet<>();
        made.forEach(p -> done.add(p.source()));
        for (Item item : items) {
            if (done.contains(item.info().uid())) {
                // The bytes read and appended: a source may list a size that is not the message's.
                counters.copied(item.raw().size());
                if (!item.info().flags().keywords().isEmpty()
                        && item.targetFlags().keywords().isEmpty()) {
                    counters.keywordsDropped();
                }
                config.listener()
                        .messageCopied(pair, item.info().uid(), item.raw().size());
            }
        }
    }

    private static Map<MessageUid, Long> sentSizes(List<Item> items) {
        Map<MessageUid, Long> sizes = new HashMap<>();
        items.forEach(i -> sizes.put(i.info().uid(), i.raw().size()));
        return sizes;
    }

    private void maybeSnapshot() throws StoreFailureException {
        if (journal.batchDone()) {
            steps.snapshot();
        }
    }
}
