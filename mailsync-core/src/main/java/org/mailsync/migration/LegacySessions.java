package org.mailsync.migration;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The sessions open to each legacy host, counted against the host's cap ({@link
 * DomainSettings#maxConnectionsPerHost()}): login checks and migrations take them from one count,
 * and when the cap is 2 or more migrations leave one session free for login checks, so that a user
 * waiting at the login prompt never queues behind bulk work.
 *
 * <p>Thread-safe: every count changes under this object's monitor; release listeners run outside it.
 */
final class LegacySessions {
    private final Map<String, Integer> inUse = new HashMap<>();
    private final List<Runnable> releaseListeners = new CopyOnWriteArrayList<>();

    /** Runs {@code listener} after every release (a runner starts what waited for the session). */
    void onRelease(Runnable listener) {
        releaseListeners.add(listener);
    }

    /** Takes a session on {@code host} for a login check, waiting until the deadline; false if none came free. */
    synchronized boolean acquireForLogin(String host, int cap, long deadlineNanos) throws InterruptedException {
        while (count(host) >= cap) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        inUse.merge(host, 1, Integer::sum);
        return true;
    }

    /** Takes a session on {@code host} for a migration if one is free for migrations; never waits. */
    synchronized boolean tryAcquireForMigration(String host, int cap) {
        int forMigrations = cap >= 2 ? cap - 1 : cap;
        if (count(host) >= forMigrations) {
            return false;
        }
        inUse.merge(host, 1, Integer::sum);
        return true;
    }

    /** Gives a session on {@code host} back, wakes the logins waiting for one and tells the listeners. */
    void release(String host) {
        synchronized (this) {
            Integer left = inUse.merge(host, -1, Integer::sum);
            if (left == null || left <= 0) {
                inUse.remove(host);
            }
            notifyAll();
        }
        for (Runnable listener : releaseListeners) {
            listener.run();
        }
    }

    /** The sessions in use on {@code host}. */
    synchronized int count(String host) {
        Integer n = inUse.get(host);
        return n == null ? 0 : n;
    }
}
