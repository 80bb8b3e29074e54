package org.mailsync.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The copy rate at one moment: one point of the throughput chart.
 *
 * <p>Immutable.
 *
 * @param time the end of the interval the rate was measured over
 * @param messagesPerMinute messages copied per minute over that interval, over every worker; not
 *     negative
 */
public record ThroughputPoint(Instant time, double messagesPerMinute) {
    public ThroughputPoint {
        requireNonNull(time, "time");
        if (!(messagesPerMinute >= 0) || Double.isInfinite(messagesPerMinute)) {
            throw new IllegalArgumentException(
                    "messagesPerMinute must be finite and not negative: " + messagesPerMinute);
        }
    }
}
