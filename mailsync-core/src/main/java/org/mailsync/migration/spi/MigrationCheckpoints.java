package org.mailsync.migration.spi;

import java.io.IOException;
import org.mailsync.spi.CheckpointStore;

/**
 * Gives each account's sync passes their checkpoints: one {@link CheckpointStore} per account and
 * pass kind, so a migration killed at any point resumes where it stopped, without duplicates.
 * {@link org.mailsync.migration.AutoMigration.Builder#checkpointDirectory} gives a file-based one.
 *
 * <p>Implementations are thread-safe.
 */
public interface MigrationCheckpoints {
    /**
     * The checkpoints of {@code account} for one kind of pass: {@code "inbox-recent"} (the first,
     * INBOX-only pass) or {@code "all"} (the full pass and its deltas).
     */
    CheckpointStore forAccount(String account, String pass) throws IOException;
}
