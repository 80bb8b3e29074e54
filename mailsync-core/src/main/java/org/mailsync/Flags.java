package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.CharMatcher;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Sets;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The flags of a message: IMAP system flags plus keywords ({@code $Forwarded}, {@code $Junk},
 * {@code NonJunk}, user labels).
 *
 * <p>A keyword is an IMAP atom (RFC 3501 9): printable ASCII without space, <code>( ) { % * " \ ]</code>.
 * Keywords are compared as written; a store that folds case does so itself.
 *
 * <p>Immutable.
 */
public final class Flags {
    /** No flags at all. */
    public static final Flags NONE = new Flags(EnumSet.noneOf(Flag.class), ImmutableSortedSet.of());

    private static final CharMatcher ATOM_SPECIALS = CharMatcher.anyOf("(){%*\"\\]");
    private static final CharMatcher ATOM_CHAR = CharMatcher.inRange('!', '~').and(ATOM_SPECIALS.negate());

    private final Set<Flag> system;
    private final ImmutableSortedSet<String> keywords;

    private Flags(Set<Flag> system, ImmutableSortedSet<String> keywords) {
        this.system = system;
        this.keywords = keywords;
    }

    /** Flags made of system flags only. */
    public static Flags of(Flag... flags) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        for (Flag flag : flags) {
            set.add(flag);
        }
        return new Flags(set, ImmutableSortedSet.of());
    }

    /** Flags from system flags and keywords; every keyword must be a valid IMAP atom. */
    public static Flags of(Set<Flag> system, Set<String> keywords) {
        for (String keyword : keywords) {
            checkKeyword(keyword);
        }
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        set.addAll(system);
        return new Flags(set, ImmutableSortedSet.copyOf(keywords));
    }

    /** Whether {@code keyword} is an IMAP atom that can serve as a keyword. */
    public static boolean isValidKeyword(String keyword) {
        return !keyword.isEmpty() && ATOM_CHAR.matchesAllOf(keyword);
    }

    private static void checkKeyword(String keyword) {
        checkArgument(isValidKeyword(keyword), "%s is not a valid IMAP keyword", keyword);
    }

    /**
     * Parses flags as IMAP writes them, separated by spaces: {@code "\Seen \Flagged $Forwarded"}.
     * An unknown backslash name is refused; parentheses around the list are accepted.
     */
    public static Flags parse(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("(") && trimmed.endsWith(")")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        EnumSet<Flag> system = EnumSet.noneOf(Flag.class);
        ImmutableSortedSet.Builder<String> keywords = ImmutableSortedSet.naturalOrder();
        for (String word : Splitter.on(' ').omitEmptyStrings().split(trimmed)) {
            if (word.startsWith("\\")) {
                system.add(Flag.fromImapName(word)
                        .orElseThrow(() -> new IllegalArgumentException("unknown system flag " + word)));
            } else {
                checkKeyword(word);
                keywords.add(word);
            }
        }
        return new Flags(system, keywords.build());
    }

    /** The system flags, as an unmodifiable set. */
    public Set<Flag> system() {
        return java.util.Collections.unmodifiableSet(system);
    }

    /** The keywords, sorted. */
    public ImmutableSortedSet<String> keywords() {
        return keywords;
    }

    public boolean contains(Flag flag) {
        return system.contains(flag);
    }

    public boolean containsKeyword(String keyword) {
        return keywords.contains(keyword);
    }

    public boolean isEmpty() {
        return system.isEmpty() && keywords.isEmpty();
    }

    /** These flags and those of {@code other}. */
    public Flags plus(Flags other) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        set.addAll(system);
        set.addAll(other.system);
        return new Flags(
                set,
                ImmutableSortedSet.<String>naturalOrder()
                        .addAll(keywords)
                        .addAll(other.keywords)
                        .build());
    }

    /** These flags without those of {@code other}. */
    public Flags minus(Flags other) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        set.addAll(system);
        set.removeAll(other.system);
        return new Flags(set, ImmutableSortedSet.copyOf(Sets.difference(keywords, other.keywords)));
    }

    /** These flags and one more system flag. */
    public Flags with(Flag flag) {
        return plus(of(flag));
    }

    /** These flags without one system flag. */
    public Flags without(Flag flag) {
        return minus(of(flag));
    }

    /** These flags and one more keyword. */
    public Flags withKeyword(String keyword) {
        return plus(of(Set.of(), Set.of(keyword)));
    }

    /** Only the system flags of these flags. */
    public Flags systemOnly() {
        return keywords.isEmpty() ? this : new Flags(system, ImmutableSortedSet.of());
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Flags && ((Flags) o).system.equals(system) && ((Flags) o).keywords.equals(keywords);
    }

    @Override
    public int hashCode() {
        return system.hashCode() * 31 + keywords.hashCode();
    }

    /** The flags as IMAP writes them, system flags first: {@code \Seen \Flagged $Forwarded}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Flag flag : system) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(flag.imapName());
        }
        for (String keyword : keywords) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(keyword);
        }
        return out.toString();
    }
}
