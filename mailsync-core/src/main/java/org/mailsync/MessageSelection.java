package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which source messages a sync copies: all by default; optionally only up to a size, only within
 * a range of internal dates, only those a predicate accepts. Messages left out are counted in the
 * report as skipped by selection, never silently.
 *
 * <p>Immutable and thread-safe (if the predicate is).
 */
public final class MessageSelection {
    private static final MessageSelection ALL = new MessageSelection(0, null, null, null);

    private final long maxSize;
    private final @Nullable Instant notBefore;
    private final @Nullable Instant before;
    private final @Nullable Predicate<MessageInfo> predicate;

    private MessageSelection(
            long maxSize,
            @Nullable Instant notBefore,
            @Nullable Instant before,
            @Nullable Predicate<MessageInfo> predicate) {
        this.maxSize = maxSize;
        this.notBefore = notBefore;
        this.before = before;
        this.predicate = predicate;
    }

    /** Every message. */
    public static MessageSelection all() {
        return ALL;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Why a message is left out, or empty if it is selected. */
    public Optional<String> reject(MessageInfo info) {
        if (maxSize > 0 && info.size() > maxSize) {
            return Optional.of("larger than " + maxSize + " bytes");
        }
        if (notBefore != null && info.internalDate().isBefore(notBefore)) {
            return Optional.of("internal date before " + notBefore);
        }
        if (before != null && !info.internalDate().isBefore(before)) {
            return Optional.of("internal date not before " + before);
        }
        if (predicate != null && !predicate.test(info)) {
            return Optional.of("left out by the selection predicate");
        }
        return Optional.empty();
    }

    /** Builds a {@link MessageSelection}. Not thread-safe; confine to one thread. */
    public static final class Builder {
        private long maxSize;
        private @Nullable Instant notBefore;
        private @Nullable Instant before;
        private @Nullable Predicate<MessageInfo> predicate;

        private Builder() {}

        /** Leaves out messages larger than {@code bytes}. */
        public Builder maxSize(long bytes) {
            checkState(maxSize == 0, "max size was already set to %s", maxSize);
            checkArgument(bytes > 0, "max size must be positive, not %s", bytes);
            maxSize = bytes;
            return this;
        }

        /** Keeps only messages with an internal date in [{@code from}, {@code until}); either may be null. */
        public Builder internalDateRange(@Nullable Instant from, @Nullable Instant until) {
            checkState(notBefore == null && before == null, "date range was already set");
            checkArgument(
                    from == null || until == null || from.isBefore(until), "empty date range %s .. %s", from, until);
            notBefore = from;
            before = until;
            return this;
        }

        /** Keeps only messages {@code accept} accepts. */
        public Builder filter(Predicate<MessageInfo> accept) {
            checkState(predicate == null, "a filter was already set");
            predicate = accept;
            return this;
        }

        public MessageSelection build() {
            return new MessageSelection(maxSize, notBefore, before, predicate);
        }
    }
}
