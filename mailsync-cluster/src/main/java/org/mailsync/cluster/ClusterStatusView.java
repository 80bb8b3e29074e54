package org.mailsync.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.mailsync.status.AccountFailure;
import org.mailsync.status.RunningMailbox;
import org.mailsync.status.StatusSnapshot;
import org.mailsync.status.StatusView;
import org.mailsync.status.ThroughputPoint;

/**
 * The status page's view of a cluster migration, over the cluster's tables: accounts per state,
 * the running passes with their progress, messages per minute over the last hour, the failed
 * accounts with their reasons; a retry re-queues a failed account as a RESUME pass. Each snapshot
 * is a handful of queries (counts by state, the running rows, the failed rows, the throughput by
 * minute).
 *
 * <p>Thread-safe.
 */
public final class ClusterStatusView implements StatusView {
    private static final int MAX_ROWS = 500;
    private static final int MINUTES = 60;

    private final ClusterQueue queue;

    public ClusterStatusView(DataSource db) {
        this.queue = new ClusterQueue(db);
    }

    @Override
    public StatusSnapshot snapshot() {
        ClusterSummary s;
        try {
            s = queue.summary(MAX_ROWS, MINUTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> states = new LinkedHashMap<>();
        for (JobState state : JobState.values()) {
            states.put(state.name(), s.count(state));
        }
        List<RunningMailbox> running = new ArrayList<>();
        for (AccountJob j : s.running()) {
            boolean listed = j.messagesTotal() > 0 || j.messagesDone() > 0;
            running.add(new RunningMailbox(
                    j.account(),
                    j.optionalWorker().orElse("?"),
                    j.messagesDone(),
                    listed ? Math.max(j.messagesTotal(), j.messagesDone()) : RunningMailbox.UNKNOWN,
                    j.bytesDone(),
                    listed ? Math.max(j.bytesTotal(), j.bytesDone()) : RunningMailbox.UNKNOWN,
                    j.startedAt() != null ? j.startedAt() : j.updatedAt()));
        }
        List<ThroughputPoint> throughput = new ArrayList<>();
        for (ClusterSummary.Minute m : s.throughput()) {
            throughput.add(new ThroughputPoint(m.minute().plusSeconds(60), m.messages()));
        }
        List<AccountFailure> failures = new ArrayList<>();
        for (AccountJob j : s.failures()) {
            failures.add(new AccountFailure(
                    j.account(),
                    j.reason(),
                    Math.max(1, j.attempts()),
                    j.finishedAt() != null ? j.finishedAt() : j.updatedAt()));
        }
        return new StatusSnapshot(
                Instant.now(),
                states,
                running,
                Math.max(s.count(JobState.RUNNING), running.size()),
                throughput,
                failures,
                Math.max(s.count(JobState.FAILED), failures.size()));
    }

    @Override
    public boolean retry(String account) {
        try {
            return !queue.retry(List.of(account), false).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
