package org.mailsync.imap;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderStatus;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;

/**
 * The folder statuses that one {@code LIST ... RETURN (STATUS (...))} brought (LIST-STATUS, RFC
 * 5819), by server name: they answer {@link ImapStore#status} without a command of its own, so
 * that a pass over an unchanged account costs one round trip per store for all of its folders.
 *
 * <p>Only while they can be no older than a status asked anew would tell: taken before the store
 * opened any folder (a folder opened, even one opened before the listing and still open, may
 * have changed since), and for at most {@link #MAX_AGE_NANOS}. Folders without a usable status in
 * the answer (a server may leave one out, RFC 5819 section 2) are asked with STATUS.
 *
 * <p>Immutable.
 */
record ListedStatuses(Map<String, FolderStatus> byName, long takenNanos) {
    /** How long a listing's statuses answer: a pass asks for them right after listing. */
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** No listing with statuses. */
    static final ListedStatuses NONE = new ListedStatuses(Map.of(), 0);

    ListedStatuses {
        byName = Map.copyOf(byName);
    }

    /** The status of {@code name} from the listing, or null if it must be asked. */
    @Nullable
    FolderStatus get(String name, long nowNanos) {
        if (byName.isEmpty() || nowNanos - takenNanos > MAX_AGE_NANOS) {
            return null;
        }
        return byName.get(name);
    }

    /**
     * A STATUS answer as a folder status; null if it lacks a value the engine needs (UIDVALIDITY,
     * UIDNEXT, MESSAGES, and HIGHESTMODSEQ with {@code condstore}), as a server's answer may.
     */
    static @Nullable FolderStatus of(Status s, boolean condstore) {
        if (s.uidvalidity <= 0 || s.uidnext < 0 || s.total < 0 || (condstore && s.highestmodseq < 0)) {
            return null;
        }
        return folderStatus(s, condstore);
    }

    /** A STATUS answer as a folder status, as {@link ImapMailFolder#status()} reads it. */
    static FolderStatus folderStatus(Status s, boolean condstore) {
        return new FolderStatus(
                Generation.of(s.uidvalidity),
                MessageUid.of(Math.max(1, s.uidnext)),
                s.total,
                condstore ? ModSeq.of(Math.max(0, s.highestmodseq)) : null);
    }
}
