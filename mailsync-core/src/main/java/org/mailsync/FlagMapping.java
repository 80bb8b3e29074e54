package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a message's flags translate from the source to the target. System flags map one to one;
 * keywords pass through unless a rule renames, drops or turns them into a system flag. What the
 * target cannot hold at all (keywords on a store without {@link Capability#KEYWORDS}) the engine
 * drops afterwards and counts in the report.
 *
 * <p>Immutable and thread-safe.
 */
public final class FlagMapping {
    private static final FlagMapping IDENTITY = new FlagMapping(ImmutableMap.of(), ImmutableMap.of());

    private final ImmutableMap<String, String> keywordRenames; // "" means drop
    private final ImmutableMap<String, Flag> keywordToSystem;

    private FlagMapping(ImmutableMap<String, String> renames, ImmutableMap<String, Flag> toSystem) {
        this.keywordRenames = renames;
        this.keywordToSystem = toSystem;
    }

    /** Flags as they are. */
    public static FlagMapping identity() {
        return IDENTITY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The target's flags for a message with {@code source} flags in the source. */
    public Flags map(Flags source) {
        if (keywordRenames.isEmpty() && keywordToSystem.isEmpty()) {
            return source;
        }
        Set<Flag> system = EnumSet.noneOf(Flag.class);
        system.addAll(source.system());
        Set<String> keywords = new TreeSet<>();
        for (String keyword : source.keywords()) {
            Flag flag = keywordToSystem.get(keyword);
            if (flag != null) {
                system.add(flag);
                continue;
            }
            String renamed = keywordRenames.getOrDefault(keyword, keyword);
            if (!renamed.isEmpty()) {
                keywords.add(renamed);
            }
        }
        return Flags.of(system, keywords);
    }

    /** Builds a {@link FlagMapping}. Not thread-safe; confine to one thread. */
    public static final class Builder {
        private final Map<String, String> renames = new HashMap<>();
        private final Map<String, Flag> toSystem = new HashMap<>();

        private Builder() {}

        private void checkNew(String keyword) {
            checkArgument(Flags.isValidKeyword(keyword), "%s is not a valid keyword", keyword);
            checkState(
                    !renames.containsKey(keyword) && !toSystem.containsKey(keyword),
                    "keyword %s already has a rule",
                    keyword);
        }

        /** Writes keyword {@code from} as {@code to} on the target (e.g. {@code $label1} to {@code Important}). */
        public Builder renameKeyword(String from, String to) {
            checkNew(from);
            checkArgument(Flags.isValidKeyword(to), "%s is not a valid keyword", to);
            renames.put(from, to);
            return this;
        }

        /** Leaves keyword {@code keyword} out on the target. */
        public Builder dropKeyword(String keyword) {
            checkNew(keyword);
            renames.put(keyword, "");
            return this;
        }

        /** Turns keyword {@code keyword} into a system flag on the target (e.g. {@code $Flagged}). */
        public Builder keywordToFlag(String keyword, Flag flag) {
            checkNew(keyword);
            toSystem.put(keyword, flag);
            return this;
        }

        public FlagMapping build() {
            return new FlagMapping(ImmutableMap.copyOf(renames), ImmutableMap.copyOf(toSystem));
        }
    }
}
