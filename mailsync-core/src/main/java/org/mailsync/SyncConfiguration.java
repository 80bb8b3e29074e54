package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.MailStore;

/**
 * Everything a {@link SyncEngine} was configured with, copied once when the engine was built: a
 * builder changed afterwards changes no engine. {@link SyncEngine.Builder} documents each setting
 * and its default; build one there (the constructor checks every value as the builder does, so no
 * configuration is ever invalid, but naming 24 values by position is no way to write one).
 *
 * <p>Immutable (the stores, checkpoint store, listener and clock it names are shared, not copied).
 */
public record SyncConfiguration(
        MailStore source,
        MailStore target,
        CheckpointStore checkpoints,
        FolderMapping folders,
        MessageSelection selection,
        IdentityStrategy identity,
        FlagMapping flagMapping,
        FlagPolicy flagPolicy,
        DeletionPolicy deletions,
        boolean dryRun,
        boolean copySubscriptions,
        int parallelism,
        long maxInFlightBytes,
        int batchSize,
        long batchBytes,
        double rematchThreshold,
        BackoffPolicy retryPolicy,
        SyncListener listener,
        Clock clock,
        boolean newMailOnly,
        Duration folderDeadline,
        Duration accountDeadline,
        MessageOrder messageOrder,
        int connectionsPerFolder) {

    /** Checks every value; the messages are the builder's. */
    public SyncConfiguration {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(folders, "folders");
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(flagMapping, "flagMapping");
        Objects.requireNonNull(flagPolicy, "flagPolicy");
        Objects.requireNonNull(deletions, "deletions");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        checkArgument(source != target, "source and target must be different stores");
        checkParallelism(parallelism);
        checkMaxInFlightBytes(maxInFlightBytes);
        checkBatchSize(batchSize);
        checkBatchBytes(batchBytes);
        checkRematchThreshold(rematchThreshold);
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        checkDeadline("folder", folderDeadline);
        checkDeadline("account", accountDeadline);
        Objects.requireNonNull(messageOrder, "messageOrder");
        checkConnectionsPerFolder(connectionsPerFolder);
    }

    static void checkConnectionsPerFolder(int connections) {
        checkArgument(
                connections >= 1 && connections <= 16, "connections per folder must be 1..16, not %s", connections);
    }

    static void checkParallelism(int folders) {
        checkArgument(folders >= 1 && folders <= 64, "parallelism must be 1..64, not %s", folders);
    }

    static void checkMaxInFlightBytes(long bytes) {
        checkArgument(bytes >= 1 << 20, "max in-flight bytes must be at least 1 MiB, not %s", bytes);
    }

    static void checkBatchSize(int messages) {
        checkArgument(messages >= 1 && messages <= 10_000, "batch size must be 1..10000, not %s", messages);
    }

    static void checkBatchBytes(long bytes) {
        checkArgument(bytes >= 1, "batch bytes must be positive, not %s", bytes);
    }

    static void checkRematchThreshold(double share) {
        checkArgument(share >= 0 && share <= 1, "rematch threshold must be 0..1, not %s", share);
    }

    static void checkRetries(int count, Duration firstBackoff) {
        checkArgument(count >= 0, "retries must not be negative, not %s", count);
        Objects.requireNonNull(firstBackoff, "retry back-off");
        checkArgument(!firstBackoff.isNegative(), "back-off must not be negative, not %s", firstBackoff);
    }

    static void checkDeadline(String which, Duration limit) {
        Objects.requireNonNull(limit, which + " deadline");
        checkArgument(
                limit.compareTo(Duration.ofSeconds(1)) >= 0, "%s deadline must be at least 1 s, not %s", which, limit);
    }
}
