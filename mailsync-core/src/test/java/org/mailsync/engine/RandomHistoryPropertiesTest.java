package org.mailsync.engine;

import static org.mailsync.engine.SyncFixture.put;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.mailsync.Capability;
import org.mailsync.DeletionPolicy;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * The engine's invariant over random source histories (appends with deliberate duplicates, flag
 * and keyword changes, deletions, generation changes on either side) interleaved with sync passes that die at a
 * random call: after a final clean pass the target holds every source message exactly once,
 * byte-identical, with the source's flags and internal date.
 */
class RandomHistoryPropertiesTest {
    private static final List<FolderPath> FOLDERS = List.of(FolderPath.INBOX, FolderPath.of("Archive", "2024"));

    sealed interface Op {}

    record Append(int folder, int content, Set<Flag> flags, boolean keyword) implements Op {}

    record ChangeFlags(int folder, int pick, Set<Flag> flags) implements Op {}

    record Delete(int folder, int pick) implements Op {}

    record NewGeneration(int folder) implements Op {}

    record NewTargetGeneration(int folder) implements Op {}

    record Pass(boolean mirror, int crashAt, boolean crashAfter) implements Op {}

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> folder = Arbitraries.integers().between(0, FOLDERS.size() - 1);
        Arbitrary<Set<Flag>> flags = Arbitraries.of(Flag.class).set().ofMaxSize(3);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6,
                        Combinators.combine(
                                        folder,
                                        Arbitraries.integers().between(0, 12),
                                        flags,
                                        Arbitraries.of(true, false))
                                .as(Append::new)),
                net.jqwik.api.Tuple.of(
                        2,
                        Combinators.combine(folder, Arbitraries.integers().between(0, 50), flags)
                                .as(ChangeFlags::new)),
                net.jqwik.api.Tuple.of(
                        1,
                        Combinators.combine(folder, Arbitraries.integers().between(0, 50))
                                .as(Delete::new)),
                net.jqwik.api.Tuple.of(1, folder.map(NewGeneration::new)),
                net.jqwik.api.Tuple.of(1, folder.map(NewTargetGeneration::new)),
                net.jqwik.api.Tuple.of(
                        3,
                        Combinators.combine(
                                        Arbitraries.of(true, false),
                                        Arbitraries.integers().between(0, 60),
                                        Arbitraries.of(true, false))
                                .as(Pass::new)));
    }

    @Property(tries = 300)
    void afterAFinalCleanPassTheTargetEqualsTheSource(
            @ForAll @Size(min = 1, max = 25) List<@net.jqwik.api.From("ops") Op> history,
            @ForAll boolean targetHasAppendUid)
            throws Exception {
        Path dir = Files.createTempDirectory("mailsync-prop");
        InMemoryStore target = targetHasAppendUid
                ? InMemoryStore.create("memory:target")
                : SyncFixture.targetWithout(Capability.APPEND_UID);
        CrashScenario s = new CrashScenario(dir, InMemoryStore.create("memory:source"), target);
        for (FolderPath f : FOLDERS) {
            if (!f.isInbox()) {
                s.sourceData.createFolder(f);
            }
        }
        try {
            com.google.common.collect.Multiset<String> deleted = com.google.common.collect.HashMultiset.create();
            for (Op op : history) {
                apply(s, op, deleted);
            }
            // A target that renumbered a folder cannot tell mailsync's old copies from its own mail
            // any more: messages the source deleted meanwhile may stay there (and no more than those).
            boolean targetRenumbered = history.stream().anyMatch(op -> op instanceof NewTargetGeneration);
            s.assertConverged(targetRenumbered ? deleted : null);
        } finally {
            deleteTree(dir);
        }
    }

    private static void apply(CrashScenario s, Op op, com.google.common.collect.Multiset<String> deleted)
            throws Exception {
        if (op instanceof Append a) {
            // Small content numbers repeat: byte-identical twins and shared Message-IDs happen.
            String body = "Message-ID: <m" + (a.content() % 5) + "@example.org>\r\nSubject: s" + a.content()
                    + "\r\n\r\n" + "body " + a.content() + "\r\n";
            Flags flags = a.keyword() ? Flags.of(a.flags(), Set.of("$Forwarded")) : Flags.of(a.flags(), Set.of());
            put(s.sourceData, FOLDERS.get(a.folder()), body.getBytes(StandardCharsets.US_ASCII), flags);
        } else if (op instanceof ChangeFlags c) {
            try (MailFolder f = s.sourceData.openFolder(FOLDERS.get(c.folder()))) {
                pick(f, c.pick()).ifPresent(uid -> {
                    try {
                        f.storeFlags(List.of(uid), FlagsUpdateMode.REPLACE, Flags.of(c.flags(), Set.of()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } else if (op instanceof Delete d) {
            try (MailFolder f = s.sourceData.openFolder(FOLDERS.get(d.folder()))) {
                var uid = pick(f, d.pick());
                if (uid.isPresent()) {
                    try (org.mailsync.RawMessage raw = f.read(uid.get()).orElseThrow()) {
                        deleted.add(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1));
                    }
                    f.delete(List.of(uid.get()));
                }
            }
        } else if (op instanceof NewGeneration g) {
            s.sourceData.resetGeneration(FOLDERS.get(g.folder()));
        } else if (op instanceof NewTargetGeneration g) {
            // The target server renumbers a folder (only once the sync has created it).
            FolderPath path = FOLDERS.get(g.folder());
            if (s.targetData.listFolders().stream().anyMatch(f -> f.path().equals(path))) {
                s.targetData.resetGeneration(path);
            }
        } else if (op instanceof Pass p) {
            s.crashAt(s.calls() + 1 + p.crashAt(), p.crashAfter());
            s.pass(p.mirror() ? DeletionPolicy.MIRROR : DeletionPolicy.KEEP);
        }
    }

    private static java.util.Optional<MessageUid> pick(MailFolder f, int pick) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        f.list(MessageQuery.all(), all::addAll);
        return all.isEmpty()
                ? java.util.Optional.empty()
                : java.util.Optional.of(all.get(pick % all.size()).uid());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
