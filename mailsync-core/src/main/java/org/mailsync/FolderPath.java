package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The path of a folder as a list of name segments, never a separator-joined string: each store
 * translates the segments to its own separator, namespace prefix and name encoding.
 *
 * <p>A segment is any non-empty text without control characters; whether a store can hold it (a
 * {@code /} inside a Maildir name, {@code ..} on disk) is the store's decision, reported as a
 * {@link FolderUnusableException}. The single-segment path {@code INBOX} (any case) is the inbox.
 *
 * <p>Immutable.
 */
public final class FolderPath implements Comparable<FolderPath> {
    /** The inbox, spelled as IMAP spells it. */
    public static final FolderPath INBOX = new FolderPath(ImmutableList.of("INBOX"));

    private final ImmutableList<String> segments;

    private FolderPath(ImmutableList<String> segments) {
        this.segments = segments;
    }

    /** A path from its segments; at least one, each non-empty and free of control characters. */
    public static FolderPath of(String first, String... rest) {
        return of(ImmutableList.<String>builder().add(first).add(rest).build());
    }

    /** A path from its segments; at least one, each non-empty and free of control characters. */
    public static FolderPath of(List<String> segments) {
        ImmutableList<String> copy = ImmutableList.copyOf(segments);
        checkArgument(!copy.isEmpty(), "a folder path needs at least one segment");
        for (String segment : copy) {
            checkSegment(segment);
        }
        if (copy.size() == 1 && copy.get(0).equalsIgnoreCase("INBOX")) {
            return INBOX;
        }
        return new FolderPath(copy);
    }

    /**
     * Splits a name on a separator, as a server or a user writes it ({@code "Archive/2023"} with
     * {@code '/'}). Empty segments (a leading, trailing or doubled separator) are refused.
     */
    public static FolderPath parse(String name, char separator) {
        return of(Splitter.on(separator).splitToList(name));
    }

    private static void checkSegment(String segment) {
        checkArgument(!segment.isEmpty(), "a folder name segment must not be empty");
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            checkArgument(
                    c >= 0x20 && c != 0x7f,
                    "folder name segment %s contains control character U+%s",
                    printable(segment),
                    String.format(Locale.ROOT, "%04X", (int) c));
        }
    }

    private static String printable(String segment) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** The segments, outermost first. */
    public ImmutableList<String> segments() {
        return segments;
    }

    /** The last segment: the folder's own name. */
    public String name() {
        return segments.get(segments.size() - 1);
    }

    /** How many segments the path has. */
    public int depth() {
        return segments.size();
    }

    /** Whether this is the inbox ({@code INBOX} in any case, at the top level). */
    public boolean isInbox() {
        return this == INBOX;
    }

    /** Whether this path has a parent. */
    public boolean hasParent() {
        return segments.size() > 1;
    }

    /** The parent path; only for a path with more than one segment. */
    public FolderPath parent() {
        checkState(hasParent(), "%s has no parent", this);
        return new FolderPath(segments.subList(0, segments.size() - 1));
    }

    /** This path with one more segment. */
    public FolderPath child(String name) {
        checkSegment(name);
        return new FolderPath(
                ImmutableList.<String>builder().addAll(segments).add(name).build());
    }

    /** This path with the segments of {@code other} appended. */
    public FolderPath resolve(FolderPath other) {
        return new FolderPath(ImmutableList.<String>builder()
                .addAll(segments)
                .addAll(other.segments)
                .build());
    }

    /** Whether {@code prefix} is this path or one of its ancestors. */
    public boolean startsWith(FolderPath prefix) {
        return prefix.segments.size() <= segments.size()
                && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    /** The segments joined by {@code separator}, for a store or a human that uses one. */
    public String join(char separator) {
        return String.join(String.valueOf(separator), segments);
    }

    @Override
    public int compareTo(FolderPath other) {
        int n = Math.min(segments.size(), other.segments.size());
        for (int i = 0; i < n; i++) {
            int c = segments.get(i).compareTo(other.segments.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(segments.size(), other.segments.size());
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof FolderPath && ((FolderPath) o).segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }

    /** The segments joined by {@code /}, for messages to humans only. */
    @Override
    public String toString() {
        return join('/');
    }
}
