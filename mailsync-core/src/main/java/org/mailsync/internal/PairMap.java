package org.mailsync.internal;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.mailsync.MessageUid;

/**
 * The pairs of one folder pass (source id to target id and the flags last synced) and its orphans
 * (target messages this sync put there whose source could not be found again), with their
 * invariant: a target message belongs to at most one pair, and an orphan to none. Every change
 * goes through here, so the invariant holds after each one; {@link #checkInvariant()} proves it.
 *
 * <p>Not thread-safe; one instance per folder pass.
 */
final class PairMap {
    private final TreeMap<MessageUid, PairEntry> bySource = new TreeMap<>();
    private final Map<MessageUid, MessageUid> sourceByTarget = new HashMap<>();
    private final TreeSet<MessageUid> orphans = new TreeSet<>();

    /**
     * Records a pair, replacing the pair of the same source id (whose target is then no longer
     * paired); its target is no longer an orphan.
     *
     * @throws IllegalStateException if the target is paired with another source message: a
     *     checkpoint or a store that says so is wrong, and no pair is changed
     */
    void put(PairEntry entry) {
        MessageUid other = sourceByTarget.get(entry.target());
        if (other != null && !other.equals(entry.source())) {
            throw new IllegalStateException("it pairs source messages " + other + " and " + entry.source()
                    + " with one target message " + entry.target());
        }
        PairEntry old = bySource.put(entry.source(), entry);
        if (old != null) {
            sourceByTarget.remove(old.target());
        }
        sourceByTarget.put(entry.target(), entry.source());
        orphans.remove(entry.target());
    }

    /** Removes the pair of this source id, if any; its target is no longer paired. */
    void remove(MessageUid source) {
        PairEntry old = bySource.remove(source);
        if (old != null) {
            sourceByTarget.remove(old.target());
        }
    }

    /** The pair of this source id, or null. */
    @Nullable
    PairEntry get(MessageUid source) {
        return bySource.get(source);
    }

    boolean containsSource(MessageUid source) {
        return bySource.containsKey(source);
    }

    boolean isPairedTarget(MessageUid target) {
        return sourceByTarget.containsKey(target);
    }

    /** The target ids of all pairs (a view). */
    Set<MessageUid> pairedTargets() {
        return Collections.unmodifiableSet(sourceByTarget.keySet());
    }

    /** The pairs, lowest source id first (a view). */
    Collection<PairEntry> entries() {
        return Collections.unmodifiableCollection(bySource.values());
    }

    /** A copy of the pairs by source id. */
    Map<MessageUid, PairEntry> copyOfPairs() {
        return new HashMap<>(bySource);
    }

    /** Forgets every pair; the orphans stay. */
    void clearPairs() {
        bySource.clear();
        sourceByTarget.clear();
    }

    /** Forgets every pair and every orphan. */
    void clear() {
        clearPairs();
        orphans.clear();
    }

    /** Records a target message this sync put there whose source is not known. */
    void addOrphan(MessageUid target) {
        if (!sourceByTarget.containsKey(target)) {
            orphans.add(target);
        }
    }

    /** The orphans, lowest first (a view). */
    Set<MessageUid> orphans() {
        return Collections.unmodifiableSet(orphans);
    }

    void clearOrphans() {
        orphans.clear();
    }

    /** The pairs as a checkpoint keeps them. */
    ImmutableSortedMap<MessageUid, PairEntry> snapshotPairs() {
        return ImmutableSortedMap.copyOf(bySource);
    }

    /** The orphans as a checkpoint keeps them. */
    ImmutableSortedSet<MessageUid> snapshotOrphans() {
        return ImmutableSortedSet.copyOf(orphans);
    }

    /**
     * Checks the invariant: the paired targets are exactly the pairs' targets, one pair each, and
     * no orphan is paired.
     *
     * @throws IllegalStateException naming the first violation
     */
    void checkInvariant() {
        if (sourceByTarget.size() != bySource.size()) {
            throw new IllegalStateException(
                    bySource.size() + " pairs but " + sourceByTarget.size() + " paired target messages");
        }
        for (PairEntry p : bySource.values()) {
            if (!p.source().equals(sourceByTarget.get(p.target()))) {
                throw new IllegalStateException("the pair " + p + " is not indexed by its target");
            }
        }
        for (MessageUid orphan : orphans) {
            if (sourceByTarget.containsKey(orphan)) {
                throw new IllegalStateException("orphan " + orphan + " is paired");
            }
        }
    }
}
