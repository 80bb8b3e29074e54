package org.mailsync.maildir;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Dovecot's {@code dovecot-uidlist}, version 3: a header {@code 3 V<uidvalidity> N<next uid>
 * G<mailbox guid>} (and whatever other fields a newer Dovecot adds, kept as they are), then one line
 * per message, {@code <uid> [<key><value> ...] :<file name>}. Dovecot appends lines without
 * rewriting the header, so the next uid is the larger of {@code N} and the highest uid plus one.
 *
 * <p>Immutable.
 */
final class Uidlist {
    /** One message line: its file's base name and its extension fields ({@code W1234}, ...). */
    public record Record(String base, String extensions) {
        public Record {
            checkArgument(!base.isEmpty() && base.indexOf('\n') < 0, "bad base %s", base);
        }

        /** The virtual size Dovecot may keep in a {@code W} extension. */
        public OptionalLong virtualSize() {
            for (String field : extensions.split(" ")) {
                if (field.length() > 1 && field.charAt(0) == 'W') {
                    try {
                        return OptionalLong.of(Long.parseLong(field.substring(1)));
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
            }
            return OptionalLong.empty();
        }
    }

    private final long uidValidity;
    private final long headerNextUid;
    private final ImmutableMap<Character, String> header;
    private final ImmutableSortedMap<Long, Record> records;
    private final ImmutableMap<String, Long> uidsByBase;

    private Uidlist(
            long uidValidity,
            long headerNextUid,
            ImmutableMap<Character, String> header,
            ImmutableSortedMap<Long, Record> records) {
        this.uidValidity = uidValidity;
        this.headerNextUid = headerNextUid;
        this.header = header;
        this.records = records;
        Map<String, Long> byBase = new java.util.HashMap<>();
        for (Map.Entry<Long, Record> e : records.entrySet()) {
            byBase.putIfAbsent(e.getValue().base(), e.getKey());
        }
        this.uidsByBase = ImmutableMap.copyOf(byBase);
    }

    /** A new, empty uidlist. */
    public static Uidlist create(long uidValidity, String mailboxGuid) {
        checkArgument(uidValidity > 0 && uidValidity <= 0xFFFF_FFFFL, "bad uidvalidity %s", uidValidity);
        return new Uidlist(
                uidValidity,
                1,
                ImmutableMap.of('V', Long.toString(uidValidity), 'N', "1", 'G', mailboxGuid),
                ImmutableSortedMap.of());
    }

    /**
     * Parses a uidlist.
     *
     * @throws IllegalArgumentException naming what is wrong, if it is not a version 3 uidlist
     */
    public static Uidlist parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        String[] head = lines[0].split(" ");
        checkArgument(head[0].equals("3"), "not a version 3 uidlist (header %s)", printable(lines[0]));
        Map<Character, String> header = new LinkedHashMap<>();
        for (int i = 1; i < head.length; i++) {
            if (!head[i].isEmpty()) {
                header.put(head[i].charAt(0), head[i].substring(1));
            }
        }
        long uidValidity = number(header.get('V'), "V in header " + lines[0]);
        long next = header.containsKey('N') ? number(header.get('N'), "N in header " + lines[0]) : 1;
        checkArgument(uidValidity > 0, "uidvalidity 0 in header %s", lines[0]);
        TreeMap<Long, Record> records = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            int colon = line.indexOf(" :");
            checkArgument(space > 0 && colon >= space, "line %s is not <uid> ... :<file>", printable(line));
            long uid = number(line.substring(0, space), "uid in line " + line);
            checkArgument(uid > 0, "uid 0 in line %s", printable(line));
            String extensions = colon > space ? line.substring(space + 1, colon).trim() : "";
            String base = MaildirFileName.baseOf(line.substring(colon + 2));
            checkArgument(!base.isEmpty(), "no file name in line %s", printable(line));
            records.putIfAbsent(uid, new Record(base, extensions));
        }
        return new Uidlist(uidValidity, next, ImmutableMap.copyOf(header), ImmutableSortedMap.copyOf(records));
    }

    private static long number(@Nullable String text, String what) {
        try {
            long value = Long.parseLong(text == null ? "" : text);
            checkArgument(value >= 0, "negative %s", what);
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("no number for " + printable(what), e);
        }
    }

    private static String printable(String text) {
        return '"' + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + '"';
    }

    /** The folder's UIDVALIDITY. */
    public long uidValidity() {
        return uidValidity;
    }

    /** The uid the next new message gets. */
    public long nextUid() {
        return records.isEmpty() ? headerNextUid : Math.max(headerNextUid, records.lastKey() + 1);
    }

    /** Every message line, by uid (including lines whose file is gone). */
    public ImmutableSortedMap<Long, Record> records() {
        return records;
    }

    /** The uid of the file with this base name, if listed. */
    public Optional<Long> uidOf(String base) {
        return Optional.ofNullable(uidsByBase.get(base));
    }

    /** Whether a file with this base name is listed. */
    public boolean contains(String base) {
        return uidsByBase.containsKey(base);
    }

    /** This uidlist with new lines for these bases, which get the next uids in order. */
    public Uidlist plus(List<Record> added) {
        TreeMap<Long, Record> all = new TreeMap<>(records);
        long uid = nextUid();
        for (Record record : added) {
            all.put(uid++, record);
        }
        return new Uidlist(uidValidity, headerNextUid, header, ImmutableSortedMap.copyOf(all));
    }

    /**
     * This uidlist with the lines of {@code other} whose uids it lacks, and a next uid above both;
     * this one's UIDVALIDITY and header.
     */
    public Uidlist withLinesOf(Uidlist other) {
        TreeMap<Long, Record> all = new TreeMap<>(records);
        other.records.forEach(all::putIfAbsent);
        long next = Math.max(nextUid(), other.nextUid());
        Map<Character, String> head = new LinkedHashMap<>(header);
        head.put('N', Long.toString(next));
        return new Uidlist(uidValidity, next, ImmutableMap.copyOf(head), ImmutableSortedMap.copyOf(all));
    }

    /** This uidlist keeping only the lines {@code keep} accepts; the next uid stays as it is. */
    public Uidlist retaining(java.util.function.Predicate<Record> keep) {
        TreeMap<Long, Record> kept = new TreeMap<>();
        records.forEach((uid, record) -> {
            if (keep.test(record)) {
                kept.put(uid, record);
            }
        });
        long next = nextUid();
        Map<Character, String> head = new LinkedHashMap<>(header);
        head.put('N', Long.toString(next));
        return new Uidlist(uidValidity, next, ImmutableMap.copyOf(head), ImmutableSortedMap.copyOf(kept));
    }

    /** The whole file, header first; the header's {@code N} is the next uid. */
    public byte[] format() {
        StringBuilder out = new StringBuilder(64 + records.size() * 64);
        out.append('3');
        Map<Character, String> head = new LinkedHashMap<>(header);
        head.put('N', Long.toString(nextUid()));
        head.forEach((key, value) -> out.append(' ').append(key).append(value));
        out.append('\n');
        records.forEach((uid, record) -> appendLine(out, uid, record));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The lines of the records with uids of at least {@code fromUid}, to append to the file. */
    public byte[] formatFrom(long fromUid) {
        StringBuilder out = new StringBuilder();
        records.tailMap(fromUid, true).forEach((uid, record) -> appendLine(out, uid, record));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendLine(StringBuilder out, long uid, Record record) {
        out.append(uid).append(' ');
        if (!record.extensions().isEmpty()) {
            out.append(record.extensions()).append(' ');
        }
        out.append(':').append(record.base()).append('\n');
    }
}
