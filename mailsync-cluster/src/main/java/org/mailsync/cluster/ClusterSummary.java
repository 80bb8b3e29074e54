package org.mailsync.cluster;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.time.Instant;

/**
 * The cluster at a glance, for {@code mailsync cluster status} and the status page. Immutable.
 *
 * @param perState accounts per state (every state present, zero included)
 * @param running the running accounts, with their progress
 * @param failures failed accounts with their reasons (the oldest first, at most the limit asked)
 * @param throughput messages and bytes copied per minute, the oldest minute first
 * @param refusedWrites late writes refused because a run's lease had moved on, since the start
 * @param takeovers runs taken over from a dead or stalled worker, since the start
 */
public record ClusterSummary(
        ImmutableMap<JobState, Long> perState,
        ImmutableList<AccountJob> running,
        ImmutableList<AccountJob> failures,
        ImmutableList<Minute> throughput,
        long refusedWrites,
        long takeovers) {

    /**
     * One minute of throughput over all workers. Immutable.
     *
     * @param minute the minute's start
     * @param messages messages copied
     * @param bytes bytes copied
     * @param accountsDone passes completed
     * @param workers workers that copied in it
     */
    public record Minute(Instant minute, long messages, long bytes, long accountsDone, int workers) {}

    /** Accounts in {@code state}. */
    public long count(JobState state) {
        return perState.getOrDefault(state, 0L);
    }

    /** Accounts in all states. */
    public long total() {
        return perState.values().stream().mapToLong(Long::longValue).sum();
    }
}
