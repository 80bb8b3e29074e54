package org.mailsync.migration;

import com.google.common.collect.ImmutableMap;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.mailsync.BackoffPolicy;
import org.mailsync.FolderMapping;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.migration.spi.MigrationCheckpoints;
import org.mailsync.migration.spi.MigrationRunner;
import org.mailsync.migration.spi.MigrationStateStore;

/**
 * Everything an {@link AutoMigration} was configured with, copied once by {@link
 * AutoMigration.Builder#build()}: the running service reads only this, never its builder, so a
 * builder changed after {@code build()} changes nothing that was built from it.
 *
 * <p>Immutable (the collaborators it names are the vendor's, and shared as given).
 *
 * @param executor the vendor's migration executor, or null for a pool of our own
 * @param loginCheckExecutor the executor for legacy login checks (tests), or null for our own
 * @param runner the vendor's job runner, or null for the default {@link JobQueue}
 * @param scheduler what calls {@link AutoMigration#tick()} every {@code tickInterval}, or null
 */
record MigrationConfig(
        LegacyConnector connector,
        LocalMailboxes mailboxes,
        AccountProvisioner provisioner,
        MigrationStateStore stateStore,
        MigrationCheckpoints checkpoints,
        ImmutableMap<String, DomainSettings> domains,
        Duration loginTimeout,
        int maxConcurrentMigrations,
        @Nullable ExecutorService executor,
        @Nullable ExecutorService loginCheckExecutor,
        @Nullable MigrationRunner runner,
        @Nullable ScheduledExecutorService scheduler,
        Duration tickInterval,
        Clock clock,
        MigrationListener listener,
        FolderMapping folders,
        Duration recentWindow,
        Duration deltaInterval,
        Duration deltaPeriod,
        BackoffPolicy retryPolicy,
        int engineParallelism,
        int engineRetries,
        Duration engineRetryBackoff) {}
