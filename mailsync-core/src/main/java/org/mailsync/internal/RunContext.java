package org.mailsync.internal;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.mailsync.FolderPath;

/**
 * What one {@code SyncEngine.run()} made for its folder passes, beside the engine's fixed {@code
 * SyncConfiguration}: the byte budget all folders share, the executor that reads source batches
 * ahead, where notes for the report go, the target folders listed when the run planned its pairs
 * (a folder missing there was deleted on the target, so its checkpoint is not trusted), and when
 * the whole run must end.
 *
 * <p>Immutable; the budget, executor and notes sink it names are thread-safe.
 */
public record RunContext(
        ByteBudget budget,
        ExecutorService reader,
        Consumer<String> notes,
        Set<FolderPath> targetFolders,
        Instant accountDeadline) {
    public RunContext {
        targetFolders = Set.copyOf(targetFolders);
    }

    /**
     * When one folder pass must stop, and why (for its error): the earlier of its own deadline and
     * the account's. Checked before each append batch.
     */
    public record Deadline(Instant at, String reason) {}
}
