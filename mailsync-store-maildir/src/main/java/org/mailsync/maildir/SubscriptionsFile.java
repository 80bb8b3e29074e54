package org.mailsync.maildir;

import com.google.common.collect.ImmutableSet;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Dovecot's {@code subscriptions} file. Version 2 (what Dovecot 2.3 writes) starts with {@code
 * V<tab>2} and an empty line, then one folder per line with its segments, in modified UTF-7,
 * separated by tabs; version 1 has one name per line with the hierarchy separator. Names are kept
 * as lines of encoded segments so that an entry this code cannot decode survives a rewrite.
 *
 * <p>Immutable.
 */
final class SubscriptionsFile {
    private final ImmutableSet<String> entries;

    private SubscriptionsFile(Set<String> entries) {
        this.entries = ImmutableSet.copyOf(entries);
    }

    /** No subscriptions. */
    public static SubscriptionsFile empty() {
        return new SubscriptionsFile(Set.of());
    }

    /** Parses either version; version 1 names are split on {@code separator}. */
    public static SubscriptionsFile parse(byte[] bytes, char separator) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        Set<String> entries = new LinkedHashSet<>();
        boolean v2 = lines.length > 0 && lines[0].equals("V\t2");
        for (int i = v2 ? 1 : 0; i < lines.length; i++) {
            String line = lines[i];
            if (!line.isEmpty()) {
                entries.add(v2 ? line : line.replace(separator, '\t'));
            }
        }
        return new SubscriptionsFile(entries);
    }

    private static String entry(List<String> encodedSegments) {
        return String.join("\t", encodedSegments);
    }

    /** Whether the folder with these encoded segments is subscribed. */
    public boolean contains(List<String> encodedSegments) {
        return entries.contains(entry(encodedSegments));
    }

    /** These subscriptions with the folder added or removed. */
    public SubscriptionsFile with(List<String> encodedSegments, boolean subscribed) {
        Set<String> copy = new LinkedHashSet<>(entries);
        if (subscribed) {
            copy.add(entry(encodedSegments));
        } else {
            copy.remove(entry(encodedSegments));
        }
        return new SubscriptionsFile(copy);
    }

    /** The file's contents, version 2. */
    public byte[] format() {
        StringBuilder out = new StringBuilder("V\t2\n\n");
        for (String entry : entries) {
            out.append(entry).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SubscriptionsFile && ((SubscriptionsFile) o).entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
