package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.Sets;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a store can do, and the largest message it accepts (IMAP APPENDLIMIT), if it says.
 *
 * <p>Immutable.
 */
public final class StoreCapabilities {
    private final Set<Capability> capabilities;
    private final long maxMessageSize;

    private StoreCapabilities(Set<Capability> capabilities, long maxMessageSize) {
        this.capabilities = Sets.immutableEnumSet(capabilities);
        this.maxMessageSize = maxMessageSize;
    }

    public static StoreCapabilities of(Capability... capabilities) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        set.addAll(java.util.Arrays.asList(capabilities));
        return new StoreCapabilities(set, 0);
    }

    public static StoreCapabilities of(Set<Capability> capabilities) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        set.addAll(capabilities);
        return new StoreCapabilities(set, 0);
    }

    /** These capabilities with a maximum message size in bytes. */
    public StoreCapabilities withMaxMessageSize(long bytes) {
        checkArgument(bytes > 0, "max message size must be positive, not %s", bytes);
        return new StoreCapabilities(capabilities, bytes);
    }

    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }

    public Set<Capability> all() {
        return capabilities;
    }

    /** The largest message the store accepts, if it says. */
    public OptionalLong maxMessageSize() {
        return maxMessageSize > 0 ? OptionalLong.of(maxMessageSize) : OptionalLong.empty();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof StoreCapabilities
                && ((StoreCapabilities) o).capabilities.equals(capabilities)
                && ((StoreCapabilities) o).maxMessageSize == maxMessageSize;
    }

    @Override
    public int hashCode() {
        return capabilities.hashCode() * 31 + Long.hashCode(maxMessageSize);
    }

    @Override
    public String toString() {
        return capabilities + (maxMessageSize > 0 ? " maxMessageSize=" + maxMessageSize : "");
    }
}
