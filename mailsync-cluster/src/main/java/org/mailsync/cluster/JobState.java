package org.mailsync.cluster;

/** Where an account's pass stands in the cluster's table. */
public enum JobState {
    /** Waiting for a worker (or for a free slot on its legacy host, or for its retry). */
    QUEUED,
    /** A worker holds its lease and copies. */
    RUNNING,
    /** The last pass completed. */
    DONE,
    /** Parked after its attempts ran out or a refused login; {@code cluster retry} re-queues it. */
    FAILED
}
