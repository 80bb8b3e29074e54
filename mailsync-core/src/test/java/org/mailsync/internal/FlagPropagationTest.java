package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mailsync.Flag;
import org.mailsync.FlagMapping;
import org.mailsync.FlagPolicy;
import org.mailsync.Flags;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;

class FlagPropagationTest {
    private static final MessageUid S = MessageUid.of(1);
    private static final MessageUid T = MessageUid.of(101);

    private static MessageInfo info(MessageUid uid, Flags flags) {
        return MessageInfo.of(uid, 100, flags, Instant.EPOCH);
    }

    private static PairMap pairedWithLast(Flags last) {
        PairMap pairs = new PairMap();
        pairs.put(new PairEntry(S, T, last));
        return pairs;
    }

    private static FlagPropagation.Changes decide(FlagPolicy policy, Flags last, Flags sourceNow, Flags targetNow) {
        FlagPropagation flags = new FlagPropagation(FlagMapping.identity(), policy, true);
        PairMap pairs = pairedWithLast(last);
        List<MessageInfo> candidates = flags.candidates(List.of(info(S, sourceNow)), pairs);
        return flags.changes(candidates, pairs, Map.of(T, info(T, targetNow)));
    }

    @Test
    void aFlagSetOnTheSourceIsAddedAndOneSetOnTheTargetStays() {
        FlagPropagation.Changes c = decide(
                FlagPolicy.SOURCE_CHANGES,
                Flags.of(Flag.SEEN),
                Flags.of(Flag.SEEN, Flag.FLAGGED),
                Flags.of(Flag.SEEN, Flag.ANSWERED));
        assertThat(c.add()).isEqualTo(Map.of(Flags.of(Flag.FLAGGED), List.of(T)));
        assertThat(c.remove()).isEmpty();
        assertThat(c.replace()).isEmpty();
        assertThat(c.synced()).containsExactly(new PairEntry(S, T, Flags.of(Flag.SEEN, Flag.FLAGGED)));
    }

    @Test
    void aFlagClearedOnTheSourceIsRemovedOnlyWhereTheTargetStillHasIt() {
        assertThat(decide(FlagPolicy.SOURCE_CHANGES, Flags.of(Flag.SEEN), Flags.NONE, Flags.of(Flag.SEEN))
                        .remove())
                .isEqualTo(Map.of(Flags.of(Flag.SEEN), List.of(T)));
        FlagPropagation.Changes already =
                decide(FlagPolicy.SOURCE_CHANGES, Flags.of(Flag.SEEN), Flags.NONE, Flags.NONE);
        assertThat(already.remove()).isEmpty();
        assertThat(already.add()).isEmpty();
        assertThat(already.synced()).containsExactly(new PairEntry(S, T, Flags.NONE));
    }

    @Test
    void anUnchangedSourceIsNoCandidateUnlessMirrorReplacesWhatTheTargetChanged() {
        FlagPropagation keep = new FlagPropagation(FlagMapping.identity(), FlagPolicy.SOURCE_CHANGES, true);
        PairMap pairs = pairedWithLast(Flags.of(Flag.SEEN));
        assertThat(keep.candidates(List.of(info(S, Flags.of(Flag.SEEN))), pairs))
                .isEmpty();

        FlagPropagation.Changes mirror =
                decide(FlagPolicy.MIRROR, Flags.of(Flag.SEEN), Flags.of(Flag.SEEN), Flags.of(Flag.ANSWERED));
        assertThat(mirror.replace()).isEqualTo(Map.of(Flags.of(Flag.SEEN), List.of(T)));
        assertThat(mirror.add()).isEmpty();
        assertThat(mirror.synced()).isEmpty(); // the source's flags are the ones last synced
    }

    @Test
    void aMessageDeletedOnTheTargetGetsNoCallButItsPairRecordsTheChange() {
        FlagPropagation flags = new FlagPropagation(FlagMapping.identity(), FlagPolicy.SOURCE_CHANGES, true);
        PairMap pairs = pairedWithLast(Flags.NONE);
        List<MessageInfo> candidates = flags.candidates(List.of(info(S, Flags.of(Flag.SEEN))), pairs);
        FlagPropagation.Changes c = flags.changes(candidates, pairs, Map.of());
        assertThat(c.add()).isEmpty();
        assertThat(c.synced()).containsExactly(new PairEntry(S, T, Flags.of(Flag.SEEN)));
    }

    @Test
    void flagsAreMappedAndKeywordsDroppedWhereTheTargetCannotHoldThem() {
        FlagMapping mapping =
                FlagMapping.builder().keywordToFlag("$Important", Flag.FLAGGED).build();
        Flags source = Flags.of(Set.of(Flag.SEEN), Set.of("$Important", "Work"));
        assertThat(new FlagPropagation(mapping, FlagPolicy.SOURCE_CHANGES, true).targetFlags(source))
                .isEqualTo(mapping.map(source));
        assertThat(new FlagPropagation(mapping, FlagPolicy.SOURCE_CHANGES, false).targetFlags(source))
                .isEqualTo(mapping.map(source).systemOnly());
        assertThat(mapping.map(source).systemOnly().system()).contains(Flag.FLAGGED, Flag.SEEN);
    }
}
