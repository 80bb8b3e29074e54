/**
 * Running migrations on many machines: {@link org.mailsync.cluster.ClusterSchema} creates the
 * tables, {@link org.mailsync.cluster.ClusterQueue} enqueues, retries and summarises accounts,
 * {@link org.mailsync.cluster.ClusterWorker} runs them, {@link org.mailsync.cluster.ClusterStatusView} shows
 * them on the status page, and {@link org.mailsync.cluster.ClusterMigrationRunner} puts auto-migration
 * on the same database. See
 * {@code CLUSTER.md} beside the code.
 */
@NullMarked
package org.mailsync.cluster;

import org.jspecify.annotations.NullMarked;
