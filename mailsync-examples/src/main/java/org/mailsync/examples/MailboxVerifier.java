package org.mailsync.examples;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        List<FolderInfo> targetFolders = target.listFolders();
        List<VerifyReport.FolderComparison> results = new ArrayList<>();
        for (FolderInfo folder : source.listFolders()) {
            if (!folder.selectable() || !mapping.selects(folder.path())) {
                continue;
            }
            FolderPair pair = new FolderPair(folder.path(), mapping.map(folder, targetFolders));
            boolean targetExists = targetFolders.stream().anyMatch(t -> t.path().equals(pair.target()));
            List<Entry> sourceEntries = read(source, pair.source(), selection);
            List<Entry> targetEntries = targetExists ? read(target, pair.target(), MessageSelection.all()) : List.of();
            results.add(compare(
                    pair, sourceEntries, targetEntries, target.capabilities().has(Capability.KEYWORDS)));
        }
        return new VerifyReport(ImmutableList.copyOf(results));
    }

    private record Entry(MessageInfo info, String sha256, String headers) {}

    private static List<Entry> read(MailStore store, FolderPath path, MessageSelection selection)
            throws MailStoreException {
        List<MessageInfo> infos = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        try (MailFolder folder = store.openFolder(path)) {
            folder.list(MessageQuery.all(), batch -> {
                for (MessageInfo info : batch) {
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
                        headers = HEADERS.key(byUid.get(uid), in);
                    }
                    entries.add(new Entry(byUid.get(uid), sha, headers));
                } catch (IOException e) {
                    throw new StoreFailureException(
                            ErrorContext.of(store.account(), path, uid), "cannot read the message: " + e, e);
                }
            });
        }
        return entries;
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
                ImmutableList.copyOf(problems));
    }

    private static void note(List<String> problems, String problem) {
        // A handful of examples per folder tells the operator where to look; a thousand do not.
        if (problems.size() < VerifyReport.MAX_EXAMPLES) {
            problems.add(problem);
        }
    }
}
