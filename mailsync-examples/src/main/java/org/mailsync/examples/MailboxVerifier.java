package org.mailsync.examples;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import com.google.common.io.ByteStreams;
import java.io.IOException;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.mailsync.Capability;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.IdentityStrategies;
import org.mailsync.IdentityStrategy;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageSelection;
import org.mailsync.MessageUid;
import org.mailsync.SkippedItem;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * Compares a source store with a target after a migration, folder by folder, by reading every
 * message on both sides: messages are paired first by the SHA-256 of their bytes, then (for what
 * is left) by a header fingerprint without the size, so that a message whose bytes changed on the
 * way is reported as "bytes differ" rather than as missing. Paired messages must also agree on
 * flags (keywords only where the target keeps them) and internal date (to the second).
 *
 * <p>Reads every message in full: as costly as a copy. Thread-safe (stateless).
 */
public final class MailboxVerifier {
    // Without the size: two versions of one message differ in size when their bytes differ.
    private static final IdentityStrategy HEADERS =
            IdentityStrategies.headerFingerprint(IdentityStrategies.DEFAULT_HEADERS, false);

    private MailboxVerifier() {}

    /** Compares every source folder that {@code mapping} selects with its target folder. */
    public static VerifyReport verify(
            MailStore source, MailStore target, FolderMapping mapping, MessageSelection selection)
            throws MailStoreException {
        return verify(source, target, mapping, selection, null);
    }

    /**
     * Compares every source folder that {@code mapping} selects with its target folder, and, given
     * a {@link SourceCensus} of a local source, checks that the store read at least as many
     * messages of each folder as the census counted there, and that every file it found belongs
     * to a folder. A folder that fails to open or read is a finding of its own; the others are
     * still compared.
     *
     * @throws MailStoreException only when a store cannot list its folders at all
     */
    public static VerifyReport verify(
            MailStore source,
            MailStore target,
            FolderMapping mapping,
            MessageSelection selection,
            @Nullable SourceCensus census)
            throws MailStoreException {
        List<FolderInfo> targetFolders = target.listFolders();
        List<FolderInfo> sourceFolders = source.listFolders();
        List<VerifyReport.FolderComparison> results = new ArrayList<>();
        Map<FolderPath, Long> listed = new HashMap<>();
        Map<FolderPath, String> failed = new HashMap<>();
        // The engine's own plan, so that verify maps folders as the migration did (Drafts and
        // Entwürfe stay two folders; a special use goes to one source folder only).
        FolderMapping.Plan plan = mapping.plan(
                sourceFolders.stream().filter(f -> mapping.selects(f.path())).toList(), targetFolders);
        for (FolderInfo folder : sourceFolders) {
            if (!folder.selectable() || !mapping.selects(folder.path())) {
                continue;
            }
            FolderPath mapped = plan.targets().get(folder.path());
            FolderPair pair =
                    new FolderPair(folder.path(), mapped != null ? mapped : mapping.map(folder, targetFolders));
            boolean targetExists = targetFolders.stream().anyMatch(t -> t.path().equals(pair.target()));
            Read sourceRead;
            try {
                sourceRead = read(source, pair.source(), selection);
                listed.put(folder.path(), sourceRead.listed());
            } catch (MailStoreException | RuntimeException e) {
                // One folder's failure is a finding; the other folders are still compared.
                failed.put(folder.path(), reason(e));
                results.add(VerifyReport.FolderComparison.failed(pair, "source: " + reason(e)));
                continue;
            }
            Read targetRead;
            try {
                targetRead =
                        targetExists ? read(target, pair.target(), MessageSelection.all()) : new Read(List.of(), 0);
            } catch (MailStoreException | RuntimeException e) {
                results.add(VerifyReport.FolderComparison.failed(pair, "target: " + reason(e)));
                continue;
            }
            results.add(compare(
                    pair,
                    sourceRead.entries(),
                    targetRead.entries(),
                    target.capabilities().has(Capability.KEYWORDS)));
        }
        List<VerifyReport.Unaccounted> unaccounted = new ArrayList<>();
        if (census != null) {
            census.unread()
                    .forEach(u -> unaccounted.add(
                            new VerifyReport.Unaccounted(u.location().toString(), u.reason())));
            Map<FolderPath, FolderInfo> byPath = new HashMap<>();
            sourceFolders.forEach(f -> byPath.put(f.path(), f));
            for (SourceCensus.Folder f : census.folders()) {
                if (f.messages() == 0 || !mapping.selects(f.path())) {
                    continue; // nothing to lose, or left out on purpose
                }
                String where = f.location().toString();
                String count = f.messages() + (f.messages() == 1 ? " message" : " messages");
                if (failed.containsKey(f.path())) {
                    unaccounted.add(new VerifyReport.Unaccounted(
                            where, count + " counted here; the folder could not be read: " + failed.get(f.path())));
                } else if (!byPath.containsKey(f.path())) {
                    unaccounted.add(new VerifyReport.Unaccounted(
                            where, count + " counted here, in a folder the store did not list"));
                } else if (!listed.containsKey(f.path())) {
                    unaccounted.add(new VerifyReport.Unaccounted(
                            where, count + " counted here, in a folder the store lists as holding no mail"));
                } else if (listed.get(f.path()) < f.messages()) {
                    unaccounted.add(new VerifyReport.Unaccounted(
                            where, count + " counted here, the store read " + listed.get(f.path())));
                }
            }
        }
        // What the store itself says it did not read (any source, IMAP too).
        java.util.Set<String> named = new java.util.HashSet<>();
        unaccounted.forEach(u -> named.add(u.location()));
        for (SkippedItem item : source.skipped()) {
            // The census names absolute paths, a store names its items under its root: one entry
            // per file either way.
            boolean counted =
                    named.stream().anyMatch(n -> n.equals(item.location()) || n.endsWith("/" + item.location()));
            if (!counted && named.add(item.location())) {
                unaccounted.add(
                        new VerifyReport.Unaccounted(item.location(), "skipped by the store: " + item.reason()));
            }
        }
        return new VerifyReport(ImmutableList.copyOf(results), ImmutableList.copyOf(unaccounted));
    }

    private static String reason(Exception e) {
        return e instanceof MailStoreException m ? m.getMessage() : e.toString();
    }

    private record Entry(MessageInfo info, String sha256, String headers) {}

    /** The selected messages of a folder, and how many the folder listed in all. */
    private record Read(List<Entry> entries, long listed) {}

    private static Read read(MailStore store, FolderPath path, MessageSelection selection) throws MailStoreException {
        List<MessageInfo> infos = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        long[] all = {0};
        try (MailFolder folder = store.openFolder(path)) {
            folder.list(MessageQuery.all(), batch -> {
                for (MessageInfo info : batch) {
                    all[0]++;
                    if (selection.reject(info).isEmpty()) {
                        infos.add(info);
                    }
                }
            });
            Map<MessageUid, MessageInfo> byUid = new LinkedHashMap<>();
            infos.forEach(i -> byUid.put(i.uid(), i));
            folder.readAll(ImmutableList.copyOf(byUid.keySet()), (uid, raw) -> {
                try (raw) {
                    String sha;
                    try (HashingInputStream in = new HashingInputStream(Hashing.sha256(), raw.openStream())) {
                        ByteStreams.exhaust(in);
                        sha = in.hash().toString();
                    }
                    String headers;
                    try (InputStream in = raw.openStream()) {
                        headers = HEADERS.key(requireNonNull(byUid.get(uid)), in);
                    }
                    entries.add(new Entry(requireNonNull(byUid.get(uid)), sha, headers));
                } catch (IOException e) {
                    throw new StoreFailureException(
                            ErrorContext.of(store.account(), path, uid), "cannot read the message: " + e, e);
                }
            });
        }
        return new Read(entries, all[0]);
    }

    private static VerifyReport.FolderComparison compare(
            FolderPair pair, List<Entry> source, List<Entry> target, boolean targetKeepsKeywords) {
        Map<String, Deque<Entry>> targetBySha = new LinkedHashMap<>();
        for (Entry t : target) {
            targetBySha.computeIfAbsent(t.sha256(), k -> new ArrayDeque<>()).add(t);
        }
        List<String> problems = new ArrayList<>();
        List<Entry> unmatched = new ArrayList<>();
        long flagsDiffer = 0;
        long datesDiffer = 0;
        for (Entry s : source) {
            Deque<Entry> candidates = targetBySha.get(s.sha256());
            if (candidates == null || candidates.isEmpty()) {
                unmatched.add(s);
                continue;
            }
            Entry t = candidates.poll();
            Flags expected =
                    targetKeepsKeywords ? s.info().flags() : s.info().flags().systemOnly();
            Flags actual =
                    targetKeepsKeywords ? t.info().flags() : t.info().flags().systemOnly();
            if (!expected.equals(actual)) {
                flagsDiffer++;
                note(
                        problems,
                        "source " + s.info().uid() + ": flags [" + expected + "], target "
                                + t.info().uid() + ": [" + actual + "]");
            }
            if (!s.info()
                    .internalDate()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .equals(t.info().internalDate().truncatedTo(ChronoUnit.SECONDS))) {
                datesDiffer++;
                note(
                        problems,
                        "source " + s.info().uid() + ": internal date "
                                + s.info().internalDate() + ", target "
                                + t.info().uid() + ": " + t.info().internalDate());
            }
        }
        // What the target holds more of a source message than the source: duplicates.
        long duplicated = 0;
        List<Entry> targetLeft = new ArrayList<>();
        java.util.Set<String> sourceShas = new java.util.HashSet<>();
        source.forEach(s -> sourceShas.add(s.sha256()));
        for (Deque<Entry> left : targetBySha.values()) {
            for (Entry t : left) {
                if (sourceShas.contains(t.sha256())) {
                    duplicated++;
                    note(problems, "target " + t.info().uid() + " is a second copy of a source message");
                } else {
                    targetLeft.add(t);
                }
            }
        }
        long bytesDiffer = 0;
        long missing = 0;
        for (Entry s : unmatched) {
            Entry changed = null;
            for (Entry t : targetLeft) {
                if (t.headers().equals(s.headers())) {
                    changed = t;
                    break;
                }
            }
            if (changed != null) {
                targetLeft.remove(changed);
                bytesDiffer++;
                note(
                        problems,
                        "source " + s.info().uid() + " and target "
                                + changed.info().uid()
                                + ": same headers, bytes differ (SHA-256 "
                                + s.sha256().substring(0, 12) + " vs "
                                + changed.sha256().substring(0, 12) + ")");
            } else {
                missing++;
                note(problems, "source " + s.info().uid() + " (" + s.info().size() + " bytes) is missing");
            }
        }
        return new VerifyReport.FolderComparison(
                pair,
                source.size(),
                target.size(),
                missing,
                duplicated,
                bytesDiffer,
                flagsDiffer,
                datesDiffer,
                targetLeft.size(),
                ImmutableList.copyOf(problems),
                null);
    }

    private static void note(List<String> problems, String problem) {
        // A handful of examples per folder tells the operator where to look; a thousand do not.
        if (problems.size() < VerifyReport.MAX_EXAMPLES) {
            problems.add(problem);
        }
    }
}
