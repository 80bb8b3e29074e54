package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.MessageUid;

class PairMapTest {
    private static MessageUid uid(long n) {
        return MessageUid.of(n);
    }

    private static PairEntry pair(long source, long target) {
        return new PairEntry(uid(source), uid(target), Flags.NONE);
    }

    @Test
    void aSourcePairedAgainFreesItsOldTarget() {
        PairMap map = new PairMap();
        map.put(pair(1, 10));
        map.put(pair(1, 11));
        assertThat(map.isPairedTarget(uid(10))).isFalse();
        assertThat(map.isPairedTarget(uid(11))).isTrue();
        assertThat(map.entries()).containsExactly(pair(1, 11));
        map.checkInvariant();
    }

    @Test
    void aTargetPairedWithAnotherSourceIsRefusedAndNothingChanges() {
        PairMap map = new PairMap();
        map.put(pair(1, 10));
        map.put(pair(2, 20));
        assertThatThrownBy(() -> map.put(pair(2, 10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("it pairs source messages 1 and 2 with one target message 10");
        assertThat(map.entries()).containsExactly(pair(1, 10), pair(2, 20));
        map.checkInvariant();
    }

    @Test
    void newFlagsForAPairKeepItsTarget() {
        PairMap map = new PairMap();
        map.put(pair(1, 10));
        map.put(new PairEntry(uid(1), uid(10), Flags.of(Flag.SEEN)));
        assertThat(map.get(uid(1)).syncedFlags()).isEqualTo(Flags.of(Flag.SEEN));
        assertThat(map.pairedTargets()).containsExactly(uid(10));
    }

    @Test
    void anOrphanPairedIsNoOrphanAndAPairedTargetBecomesNoOrphan() {
        PairMap map = new PairMap();
        map.addOrphan(uid(10));
        map.addOrphan(uid(11));
        map.put(pair(1, 10));
        map.addOrphan(uid(10));
        assertThat(map.orphans()).containsExactly(uid(11));
        map.clearPairs();
        assertThat(map.orphans()).containsExactly(uid(11));
        map.clear();
        assertThat(map.orphans()).isEmpty();
        assertThat(map.snapshotPairs()).isEmpty();
    }

    @Test
    void snapshotsAreSortedCopies() {
        PairMap map = new PairMap();
        map.put(pair(3, 30));
        map.put(pair(1, 10));
        map.addOrphan(uid(7));
        var pairs = map.snapshotPairs();
        var orphans = map.snapshotOrphans();
        map.clear();
        assertThat(pairs.keySet()).containsExactly(uid(1), uid(3));
        assertThat(orphans).containsExactly(uid(7));
    }

    /** One step of a random history: put, remove, clear pairs, add an orphan. */
    record Op(int kind, long source, long target) {}

    @Provide
    Arbitrary<List<Op>> histories() {
        return Arbitraries.integers()
                .between(0, 9)
                .flatMap(kind -> Arbitraries.longs()
                        .between(1, 8)
                        .flatMap(s -> Arbitraries.longs().between(1, 8).map(t -> new Op(kind, s, t))))
                .list()
                .ofMaxSize(60);
    }

    /** Against a plain model: the invariant holds after every step, and the pairs are the model's. */
    @Property(tries = 300)
    void theInvariantHoldsAfterEveryChange(@ForAll("histories") List<Op> history) {
        PairMap map = new PairMap();
        Map<Long, Long> model = new HashMap<>();
        Set<Long> orphans = new HashSet<>();
        for (Op op : history) {
            switch (op.kind()) {
                case 0, 1, 2, 3, 4 -> {
                    boolean takenByOther = model.entrySet().stream()
                            .anyMatch(e -> e.getValue() == op.target() && e.getKey() != op.source());
                    if (takenByOther) {
                        assertThatThrownBy(() -> map.put(pair(op.source(), op.target())))
                                .isInstanceOf(IllegalStateException.class);
                    } else {
                        map.put(pair(op.source(), op.target()));
                        model.put(op.source(), op.target());
                        orphans.remove(op.target());
                    }
                }
                case 5, 6 -> {
                    map.remove(uid(op.source()));
                    model.remove(op.source());
                }
                case 7 -> {
                    map.addOrphan(uid(op.target()));
                    if (!model.containsValue(op.target())) {
                        orphans.add(op.target());
                    }
                }
                case 8 -> {
                    map.clearPairs();
                    model.clear();
                }
                default -> {
                    map.clear();
                    model.clear();
                    orphans.clear();
                }
            }
            map.checkInvariant();
            Map<Long, Long> actual = new HashMap<>();
            map.entries().forEach(p -> actual.put(p.source().value(), p.target().value()));
            assertThat(actual).isEqualTo(model);
            assertThat(map.orphans())
                    .containsExactlyInAnyOrderElementsOf(
                            orphans.stream().map(PairMapTest::uid).toList());
        }
    }
}
