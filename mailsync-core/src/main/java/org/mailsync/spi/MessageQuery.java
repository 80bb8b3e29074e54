package org.mailsync.spi;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;

/**
 * Which messages {@link MailFolder#list} lists: those with an id of at least {@code from}, and, if
 * {@code changedSince} is given, only those changed after that modseq; handed over in batches of
 * at most {@code batchSize}.
 *
 * <p>Immutable.
 */
public record MessageQuery(MessageUid from, @Nullable ModSeq changedSince, int batchSize) {
    /** The batch size when none is given. */
    public static final int DEFAULT_BATCH_SIZE = 1000;

    public MessageQuery {
        checkArgument(batchSize > 0, "batch size must be positive, not %s", batchSize);
    }

    /** Every message. */
    public static MessageQuery all() {
        return new MessageQuery(MessageUid.of(1), null, DEFAULT_BATCH_SIZE);
    }

    /** Messages with an id of at least {@code from}. */
    public static MessageQuery from(MessageUid from) {
        return new MessageQuery(from, null, DEFAULT_BATCH_SIZE);
    }

    /** Messages changed after {@code modSeq} (a store with {@code MODSEQ} only). */
    public static MessageQuery changedSince(ModSeq modSeq) {
        return new MessageQuery(MessageUid.of(1), modSeq, DEFAULT_BATCH_SIZE);
    }

    public Optional<ModSeq> optionalChangedSince() {
        return Optional.ofNullable(changedSince);
    }

    /** This query with another batch size. */
    public MessageQuery withBatchSize(int size) {
        return new MessageQuery(from, changedSince, size);
    }
}
