package org.mailsync.maildir;

import com.google.common.collect.ImmutableList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Dovecot's {@code dovecot-keywords}: one line {@code <index> <keyword>} per keyword, where index
 * 0 to 25 is the flag letter {@code a} to {@code z} in the folder's file names. A folder holds at
 * most 26 keywords this way.
 *
 * <p>Immutable.
 */
final class KeywordFile {
    /** How many keywords file names can carry: the letters a to z. */
    public static final int MAX_KEYWORDS = 26;

    /** No keywords. */
    public static final KeywordFile EMPTY = new KeywordFile(ImmutableList.of());

    // index -> keyword, null where a line is missing
    private final ImmutableList<Optional<String>> names;

    private KeywordFile(ImmutableList<Optional<String>> names) {
        this.names = names;
    }

    /** Parses the file, ignoring lines that are not {@code <index> <keyword>} within a to z. */
    public static KeywordFile parse(byte[] bytes) {
        List<Optional<String>> names = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0) {
                continue;
            }
            int index;
            try {
                index = Integer.parseInt(line.substring(0, space));
            } catch (NumberFormatException e) {
                continue;
            }
            String name = line.substring(space + 1);
            if (index < 0 || index >= MAX_KEYWORDS || name.isEmpty()) {
                continue;
            }
            while (names.size() <= index) {
                names.add(Optional.empty());
            }
            names.set(index, Optional.of(name));
        }
        return new KeywordFile(ImmutableList.copyOf(names));
    }

    /** The keyword for flag letter {@code letter} ({@code a} to {@code z}), if it has one. */
    public Optional<String> keyword(char letter) {
        int index = letter - 'a';
        return index >= 0 && index < names.size() ? names.get(index) : Optional.empty();
    }

    /** The letter of {@code keyword}, if the file has it. */
    public Optional<Character> letter(String keyword) {
        OptionalInt index = indexOf(keyword);
        return index.isPresent() ? Optional.of((char) ('a' + index.getAsInt())) : Optional.empty();
    }

    private OptionalInt indexOf(String keyword) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isPresent() && names.get(i).get().equals(keyword)) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * This file with {@code keyword} added at the first free index; unchanged if it is there
     * already; empty if all 26 letters are taken.
     */
    public Optional<KeywordFile> plus(String keyword) {
        if (indexOf(keyword).isPresent()) {
            return Optional.of(this);
        }
        List<Optional<String>> copy = new ArrayList<>(names);
        int free = copy.indexOf(Optional.<String>empty());
        if (free < 0) {
            if (copy.size() >= MAX_KEYWORDS) {
                return Optional.empty();
            }
            copy.add(Optional.of(keyword));
        } else {
            copy.set(free, Optional.of(keyword));
        }
        return Optional.of(new KeywordFile(ImmutableList.copyOf(copy)));
    }

    /** The file's contents. */
    public byte[] format() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isPresent()) {
                out.append(i).append(' ').append(names.get(i).get()).append('\n');
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof KeywordFile && ((KeywordFile) o).names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }
}
