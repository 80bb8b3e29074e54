package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;
import org.mailsync.internal.SideState;

/**
 * Issue 14.4: one codec for snapshot and journal, and what it writes it reads back exactly, over
 * arbitrary checkpoints with pending intents and orphans, arbitrary journals, and journals torn
 * anywhere inside their last entry.
 */
class CheckpointCodecPropertiesTest {
    @Property(tries = 300)
    void aSnapshotReadsBackAsTheCheckpointItWasWrittenFrom(
            @ForAll("pairs") FolderPair pair, @ForAll("checkpoints") FolderCheckpoint cp) throws Exception {
        byte[] bytes = CheckpointCodec.encodeSnapshot(pair, cp).getBytes(StandardCharsets.UTF_8);
        assertThat(CheckpointCodec.decodeSnapshot(bytes, "snapshot")).isEqualTo(cp);
    }

    @Property(tries = 300)
    void aJournalReadsBackAsItsEntriesAppliedInOrder(
            @ForAll("checkpoints") FolderCheckpoint base, @ForAll("journals") List<JournalEntry> entries)
            throws Exception {
        byte[] bytes = journal(entries);
        CheckpointCodec.JournalRead read = CheckpointCodec.decodeJournal(bytes, base, "journal");
        assertThat(read.entries()).isEqualTo(entries);
        assertThat(read.checkpoint()).isEqualTo(applied(base, entries));
        assertThat(read.torn()).isFalse();
        assertThat(read.soundLength()).isEqualTo(bytes.length);
        assertThat(CheckpointCodec.soundLength(bytes)).isEqualTo(bytes.length);
    }

    @Property(tries = 500)
    void aJournalTornInsideItsLastEntryReadsAsTheEntriesBefore(
            @ForAll("checkpoints") FolderCheckpoint base,
            @ForAll("journals") List<JournalEntry> entries,
            @ForAll @IntRange(min = 1, max = 1_000_000) int cutSeed)
            throws Exception {
        List<JournalEntry> whole = entries.subList(0, entries.size() - 1);
        byte[] sound = journal(whole);
        byte[] last = journal(entries.subList(entries.size() - 1, entries.size()));
        // Cut the last entry anywhere before its final newline: a crash while it was appended.
        int kept = cutSeed % last.length;
        byte[] torn = Arrays.copyOf(journal(entries), sound.length + kept);

        CheckpointCodec.JournalRead read = CheckpointCodec.decodeJournal(torn, base, "journal");
        assertThat(read.entries()).isEqualTo(whole);
        assertThat(read.checkpoint()).isEqualTo(applied(base, whole));
        assertThat(read.torn()).isEqualTo(kept > 0);
        assertThat(read.soundLength()).isEqualTo(sound.length);
        assertThat(CheckpointCodec.soundLength(torn)).isEqualTo(sound.length);
    }

    @Property(tries = 40)
    void theFileStoreGivesBackWhatWasSavedAndJournaled(
            @ForAll("pairs") FolderPair pair,
            @ForAll("checkpoints") FolderCheckpoint cp,
            @ForAll("journals") List<JournalEntry> entries)
            throws Exception {
        Path dir = Files.createTempDirectory("checkpoint-property");
        try {
            Checkpoints store = Checkpoints.over(FileCheckpointStore.in(dir));
            store.save(pair, cp);
            assertThat(store.load(pair)).contains(cp);
            for (JournalEntry entry : entries) {
                store.journal(pair, entry);
            }
            assertThat(store.load(pair)).contains(applied(cp, entries));
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static byte[] journal(List<JournalEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (JournalEntry e : entries) {
            out.writeBytes(CheckpointCodec.encodeJournal(e).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static FolderCheckpoint applied(FolderCheckpoint base, List<JournalEntry> entries) {
        FolderCheckpoint cp = base;
        for (JournalEntry e : entries) {
            cp = cp.apply(e);
        }
        return cp;
    }

    // --- generators ---

    private static Arbitrary<MessageUid> uids() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE).map(MessageUid::of);
    }

    private static Arbitrary<Flags> flags() {
        Arbitrary<String> keywords = Arbitraries.strings()
                .withCharRange('!', '~')
                .ofMinLength(1)
                .ofMaxLength(8)
                .filter(Flags::isValidKeyword);
        return Combinators.combine(
                        Arbitraries.of(Flag.class).set().ofMaxSize(Flag.values().length),
                        keywords.set().ofMaxSize(3))
                .as(Flags::of);
    }

    /** Identity keys: any text without spaces or control characters, beyond ASCII too. */
    private static Arbitrary<String> identityKeys() {
        return Arbitraries.strings()
                .withCharRange('!', '~')
                .withCharRange('\u00a0', '\u024f')
                .withChars('日', '本', '\u20ac')
                .ofMinLength(1)
                .ofMaxLength(20);
    }

    private static Arbitrary<JournalEntry.AppendIntent> intents() {
        Arbitrary<JournalEntry.IntentItem> items =
                Combinators.combine(uids(), identityKeys(), flags()).as(JournalEntry.IntentItem::new);
        return Combinators.combine(
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.longs().between(1, Long.MAX_VALUE).map(Generation::of),
                        uids(),
                        items.list().ofMinSize(1).ofMaxSize(5))
                .as(JournalEntry.AppendIntent::new);
    }

    private static Arbitrary<PairEntry> pairEntries() {
        return Combinators.combine(uids(), uids(), flags()).as(PairEntry::new);
    }

    private static Arbitrary<JournalEntry.AppendDone> dones() {
        return Combinators.combine(
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        pairEntries().list().ofMaxSize(5))
                .as(JournalEntry.AppendDone::new);
    }

    @Provide
    Arbitrary<List<JournalEntry>> journals() {
        return Arbitraries.<JournalEntry>oneOf(intents(), dones())
                .list()
                .ofMinSize(1)
                .ofMaxSize(6);
    }

    @Provide
    Arbitrary<FolderPair> pairs() {
        Arbitrary<FolderPath> paths = Arbitraries.strings()
                .withCharRange(' ', '~')
                .withCharRange('\u00a0', '\u024f')
                .ofMinLength(1)
                .ofMaxLength(10)
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(FolderPath::of);
        return Combinators.combine(paths, paths).as(FolderPair::new);
    }

    @Provide
    Arbitrary<FolderCheckpoint> checkpoints() {
        Arbitrary<SideState> side = Combinators.combine(
                        Arbitraries.longs().between(1, Long.MAX_VALUE).map(Generation::of),
                        uids(),
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.longs()
                                .between(0, Long.MAX_VALUE)
                                .map(ModSeq::of)
                                .injectNull(0.3))
                .as(SideState::new);
        Arbitrary<ImmutableSortedMap<MessageUid, PairEntry>> pairMap = pairEntries()
                .list()
                .ofMaxSize(20)
                .map(list -> ImmutableSortedMap.copyOf(
                        list.stream().collect(Collectors.toMap(PairEntry::source, Function.identity(), (a, b) -> b))));
        return Combinators.combine(
                        side.injectNull(0.2),
                        side.injectNull(0.2),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        pairMap,
                        uids().set().ofMaxSize(5).map(ImmutableSortedSet::copyOf),
                        intents().list().ofMaxSize(3).map(ImmutableList::copyOf),
                        Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as(FolderCheckpoint::new);
    }
}
