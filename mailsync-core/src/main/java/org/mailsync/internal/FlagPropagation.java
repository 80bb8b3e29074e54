package org.mailsync.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mailsync.FlagMapping;
import org.mailsync.FlagPolicy;
import org.mailsync.Flags;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;

/**
 * The flag decisions of a folder pass, without touching a store. Three-way under {@link
 * FlagPolicy#SOURCE_CHANGES}: from the flags recorded at the last sync ("last"), the source's now
 * and the target's now, only what the source changed since "last" is added or removed on the
 * target, so a change made on the target stays. {@link FlagPolicy#MIRROR} replaces the target's
 * flags with the source's wherever they differ. Flags are mapped first, and keywords dropped where
 * the target cannot hold them.
 *
 * <p>Immutable.
 */
final class FlagPropagation {
    private final FlagMapping mapping;
    private final FlagPolicy policy;
    private final boolean targetHoldsKeywords;

    FlagPropagation(FlagMapping mapping, FlagPolicy policy, boolean targetHoldsKeywords) {
        this.mapping = mapping;
        this.policy = policy;
        this.targetHoldsKeywords = targetHoldsKeywords;
    }

    /** The flags a source message gets on the target, after mapping and what the target can hold. */
    Flags targetFlags(Flags sourceFlags) {
        Flags mapped = mapping.map(sourceFlags);
        if (!mapped.keywords().isEmpty() && !targetHoldsKeywords) {
            return mapped.systemOnly();
        }
        return mapped;
    }

    /** The paired source messages whose flags need a look: all under MIRROR, else the changed ones. */
    List<MessageInfo> candidates(List<MessageInfo> paired, PairMap pairs) {
        List<MessageInfo> candidates = new ArrayList<>();
        for (MessageInfo m : paired) {
            if (policy == FlagPolicy.MIRROR
                    || !m.flags().equals(requireNonNull(pairs.get(m.uid())).syncedFlags())) {
                candidates.add(m);
            }
        }
        return candidates;
    }

    /**
     * The store calls to make (target ids grouped by the flags to add, remove or set) and the pairs
     * to record with the source's flags as synced. A message missing from {@code targetNow}
     * (deleted on the target) gets no call; its pair records the source's flags all the same, so
     * that the same change is not looked at again.
     */
    Changes changes(List<MessageInfo> candidates, PairMap pairs, Map<MessageUid, MessageInfo> targetNow) {
        Map<Flags, List<MessageUid>> add = new HashMap<>();
        Map<Flags, List<MessageUid>> remove = new HashMap<>();
        Map<Flags, List<MessageUid>> replace = new HashMap<>();
        List<PairEntry> synced = new ArrayList<>();
        for (MessageInfo m : candidates) {
            PairEntry entry = requireNonNull(pairs.get(m.uid()));
            Flags wanted = targetFlags(m.flags());
            MessageInfo now = targetNow.get(entry.target());
            if (now != null) {
                Flags current = now.flags();
                if (policy == FlagPolicy.MIRROR) {
                    if (!current.equals(wanted)) {
                        replace.computeIfAbsent(wanted, f -> new ArrayList<>()).add(entry.target());
                    }
                } else {
                    Flags last = targetFlags(entry.syncedFlags());
                    Flags added = wanted.minus(last).minus(current);
                    Flags removed = last.minus(wanted);
                    removed = removed.minus(removed.minus(current));
                    if (!added.isEmpty()) {
                        add.computeIfAbsent(added, f -> new ArrayList<>()).add(entry.target());
                    }
                    if (!removed.isEmpty()) {
                        remove.computeIfAbsent(removed, f -> new ArrayList<>()).add(entry.target());
                    }
                }
            }
            if (!m.flags().equals(entry.syncedFlags())) {
                synced.add(new PairEntry(entry.source(), entry.target(), m.flags()));
            }
        }
        return new Changes(add, remove, replace, synced);
    }

    /** What {@link #changes} decided: store calls by mode, and pairs with new synced flags. */
    record Changes(
            Map<Flags, List<MessageUid>> add,
            Map<Flags, List<MessageUid>> remove,
            Map<Flags, List<MessageUid>> replace,
            List<PairEntry> synced) {}
}
