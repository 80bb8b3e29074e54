package org.mailsync.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a migration at one moment, as {@link StatusView#snapshot()} reads it.
 *
 * <p>Immutable: the collections are copied.
 *
 * @param time when the snapshot was taken
 * @param accountsByState how many accounts are in each state, keyed by the state's name; the usual
 *     names are {@link #QUEUED}, {@link #RUNNING}, {@link #DONE} and {@link #FAILED}, and a view may
 *     add its own (for example a vendor's {@code WAITING_FOR_LOGIN}); the page shows them in this
 *     map's iteration order. Counts are never negative.
 * @param running the mailboxes (accounts) being copied right now, possibly only the first of them
 * @param runningTotal how many mailboxes are running in all; at least {@code running.size()}
 * @param throughput messages copied per minute over time, oldest first
 * @param failures failed accounts with their reasons, possibly only the most recent of them
 * @param failuresTotal how many accounts have failed in all; at least {@code failures.size()}
 */
public record StatusSnapshot(
        Instant time,
        Map<String, Long> accountsByState,
        List<RunningMailbox> running,
        long runningTotal,
        List<ThroughputPoint> throughput,
        List<AccountFailure> failures,
        long failuresTotal) {

    /** Accounts waiting to be copied. */
    public static final String QUEUED = "QUEUED";

    /** Accounts being copied now. */
    public static final String RUNNING = "RUNNING";

    /** Accounts copied completely. */
    public static final String DONE = "DONE";

    /** Accounts whose last attempt failed (they may be retried). */
    public static final String FAILED = "FAILED";

    public StatusSnapshot {
        requireNonNull(time, "time");
        // Insertion order is kept: the page lists the states in the order the view gives them.
        Map<String, Long> states = new LinkedHashMap<>();
        accountsByState.forEach((state, count) -> {
            requireNonNull(state, "state");
            requireNonNull(count, "count");
            if (count < 0) {
                throw new IllegalArgumentException("count of state " + state + " is negative: " + count);
            }
            states.put(state, count);
        });
        accountsByState = Collections.unmodifiableMap(states);
        running = List.copyOf(running);
        throughput = List.copyOf(throughput);
        failures = List.copyOf(failures);
        if (runningTotal < running.size()) {
            throw new IllegalArgumentException(
                    "runningTotal " + runningTotal + " is less than the " + running.size() + " rows given");
        }
        if (failuresTotal < failures.size()) {
            throw new IllegalArgumentException(
                    "failuresTotal " + failuresTotal + " is less than the " + failures.size() + " rows given");
        }
    }

    /** A snapshot whose lists are complete: the totals are their sizes. */
    public StatusSnapshot(
            Instant time,
            Map<String, Long> accountsByState,
            List<RunningMailbox> running,
            List<ThroughputPoint> throughput,
            List<AccountFailure> failures) {
        this(time, accountsByState, running, running.size(), throughput, failures, failures.size());
    }
}
