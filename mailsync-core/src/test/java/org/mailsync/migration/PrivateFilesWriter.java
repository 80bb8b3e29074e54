package org.mailsync.migration;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.Generation;
import org.mailsync.MessageSpool;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.spi.CheckpointLock;

/**
 * A second JVM for the file mode test, started under a umask of its choosing: writes a
 * checkpoint (snapshot, journal, lock), a migration state file and a spool file under the
 * directory given, then prints the spool file's path.
 */
public final class PrivateFilesWriter {
    private PrivateFilesWriter() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        FolderPair pair = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);
        Checkpoints checkpoints = Checkpoints.over(FileCheckpointStore.in(root.resolve("accounts/alice/checkpoints")));
        CheckpointLock lock = checkpoints.lock();
        try {
            checkpoints.save(pair, FolderCheckpoint.empty());
            checkpoints.journal(
                    pair,
                    new JournalEntry.AppendIntent(
                            1,
                            Generation.of(1),
                            MessageUid.of(1),
                            List.of(new JournalEntry.IntentItem(MessageUid.of(1), "hkey", Flags.NONE))));
        } finally {
            lock.close();
        }
        FileMigrationStateStore.in(root.resolve("state/all"))
                .save(AccountState.fresh("alice@example.org", "example.org", "alice", Instant.EPOCH));
        RawMessage spooled = MessageSpool.of(0, root.resolve("spool")).spool(new ByteArrayInputStream(new byte[100]));
        System.out.println(spooled.inMemory() ? "in memory" : "spooled");
        // Not closed: the file must outlive this process for the parent to look at it.
    }
}
