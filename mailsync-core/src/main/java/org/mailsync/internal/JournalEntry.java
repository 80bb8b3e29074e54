package org.mailsync.internal;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.mailsync.Flags;
import org.mailsync.Generation;
import org.mailsync.MessageUid;

/**
 * What the engine writes down, and forces to disk, between snapshots of a {@link
 * FolderCheckpoint}: the intent to append a batch before it does, and the target ids after.
 *
 * <p>Immutable.
 */
public sealed interface JournalEntry {
    /**
     * About to append these source messages to the target, whose next id is {@code targetNextUid}
     * in {@code targetGeneration}: after a crash, the target messages from that id on whose
     * identity keys match are the ones this append made.
     */
    record AppendIntent(long id, Generation targetGeneration, MessageUid targetNextUid, List<IntentItem> items)
            implements JournalEntry {
        public AppendIntent {
            checkArgument(!items.isEmpty(), "an append intent needs at least one message");
            items = ImmutableList.copyOf(items);
        }
    }

    /** One message of an {@link AppendIntent}: its source id, identity key and flags as sent. */
    record IntentItem(MessageUid source, String identityKey, Flags flags) {
        public IntentItem {
            checkArgument(
                    !identityKey.isEmpty() && identityKey.chars().noneMatch(c -> c <= ' '),
                    "identity key must be non-empty without spaces: %s",
                    identityKey);
        }
    }

    /**
     * The intent {@code intentId} is settled: these pairs were made (possibly fewer than intended;
     * the rest were not appended and will be copied again).
     */
    record AppendDone(long intentId, List<PairEntry> pairs) implements JournalEntry {
        public AppendDone {
            pairs = ImmutableList.copyOf(pairs);
        }
    }
}
