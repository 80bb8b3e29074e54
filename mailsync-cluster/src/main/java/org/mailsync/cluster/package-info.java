/**
 * Running migrations on many machines: {@link org.mailsync.cluster.ClusterSchema} creates the
 * tables, {@link org.mailsync.cluster.ClusterQueue} enqueues, retries and summarises accounts,
 * {@link org.mailsync.cluster.ClusterWorker} runs them. See
 * {@code CLUSTER.md} beside the code.
 */
@NullMarked
package org.mailsync.cluster;

import org.jspecify.annotations.NullMarked;
