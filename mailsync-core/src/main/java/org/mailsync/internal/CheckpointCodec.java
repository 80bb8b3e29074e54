package org.mailsync.internal;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointDamagedException;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.spi.support.MaildirFlags;

/**
 * The one text form of checkpoints, for every {@link org.mailsync.spi.CheckpointStore}: snapshots
 * and journal records, one fact per line, space-separated, so a human can read it and a torn last
 * record is easy to spot. Flags are written with Maildir's letters (D draft, F flagged, R
 * answered, S seen, T deleted) followed by the keywords. This is format {@link #FORMAT}, the one
 * the files of every earlier version are in.
 *
 * <p>Thread-safe (stateless).
 */
public final class CheckpointCodec {
    /** The format version written here (a {@link org.mailsync.spi.CheckpointRecord#version()}). */
    public static final long FORMAT = 1;

    /** The first line of every snapshot; the number is the format version. */
    public static final String MAGIC = "mailsync-checkpoint " + FORMAT;

    private CheckpointCodec() {}

    public static String encodeSnapshot(FolderPair pair, FolderCheckpoint cp) {
        StringBuilder out = new StringBuilder(64 + cp.pairs().size() * 24);
        out.append(MAGIC).append('\n');
        out.append("pair ").append(encodePath(pair)).append('\n');
        out.append("source ").append(encodeSide(cp.source())).append('\n');
        out.append("target ").append(encodeSide(cp.target())).append('\n');
        out.append("complete ").append(cp.complete()).append('\n');
        out.append("mirrored ").append(cp.mirrored()).append('\n');
        out.append("last-intent ").append(cp.lastIntentId()).append('\n');
        for (JournalEntry.AppendIntent intent : cp.pending()) {
            appendRecord(out, intent);
        }
        for (PairEntry entry : cp.pairs().values()) {
            appendPair(out, entry);
        }
        for (MessageUid orphan : cp.orphans()) {
            out.append("o ").append(orphan).append('\n');
        }
        out.append("end\n");
        return out.toString();
    }

    /** One journal record: its lines, ending with a line that closes it. */
    public static String encodeJournal(JournalEntry entry) {
        StringBuilder out = new StringBuilder();
        appendRecord(out, entry);
        return out.toString();
    }

    private static void appendRecord(StringBuilder out, JournalEntry entry) {
        if (entry instanceof JournalEntry.AppendIntent intent) {
            out.append("intent ")
                    .append(intent.id())
                    .append(' ')
                    .append(intent.targetGeneration())
                    .append(' ')
                    .append(intent.targetNextUid())
                    .append(' ')
                    .append(intent.items().size())
                    .append('\n');
            for (JournalEntry.IntentItem item : intent.items()) {
                out.append("item ")
                        .append(item.source())
                        .append(' ')
                        .append(item.identityKey())
                        .append(' ')
                        .append(encodeFlags(item.flags()))
                        .append('\n');
            }
        } else {
            JournalEntry.AppendDone done = (JournalEntry.AppendDone) entry;
            out.append("done ")
                    .append(done.intentId())
                    .append(' ')
                    .append(done.pairs().size())
                    .append('\n');
            for (PairEntry pair : done.pairs()) {
                appendPair(out, pair);
            }
        }
    }

    private static void appendPair(StringBuilder out, PairEntry entry) {
        out.append("p ")
                .append(entry.source())
                .append(' ')
                .append(entry.target())
                .append(' ')
                .append(encodeFlags(entry.syncedFlags()))
                .append('\n');
    }

    private static String encodePath(FolderPair pair) {
        return encodeSegments(pair.source().segments()) + " "
                + encodeSegments(pair.target().segments());
    }

    private static String encodeSegments(List<String> segments) {
        List<String> encoded = new ArrayList<>();
        for (String s : segments) {
            encoded.add(java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8));
        }
        return String.join("/", encoded);
    }

    /** The pair's paths as the file's {@code pair} line writes them; also the file's identity. */
    public static String pairKey(FolderPair pair) {
        return encodePath(pair);
    }

    private static String encodeSide(@Nullable SideState side) {
        if (side == null) {
            return "-";
        }
        return side.generation() + " " + side.nextUid() + " " + side.messageCount() + " "
                + (side.highestModSeq() == null ? "-" : side.highestModSeq().toString());
    }

    static String encodeFlags(Flags flags) {
        // The Maildir letters, in their order: the format's flag field (version 1).
        StringBuilder letters = new StringBuilder(MaildirFlags.letters(flags.system()));
        if (letters.length() == 0) letters.append('-');
        for (String keyword : flags.keywords()) {
            letters.append(' ').append(keyword);
        }
        return letters.toString();
    }

    static Flags decodeFlags(List<String> words) throws IOException {
        Set<Flag> system = EnumSet.noneOf(Flag.class);
        String letters = words.get(0);
        if (!letters.equals("-")) {
            for (char c : letters.toCharArray()) {
                system.add(MaildirFlags.flag(c).orElseThrow(() -> new IOException("unknown flag letter " + c)));
            }
        }
        return Flags.of(system, new TreeSet<>(words.subList(1, words.size())));
    }

    /** What the operator can do about a damaged snapshot. */
    static final String SNAPSHOT_REMEDY =
            "move it away to start this folder afresh (identity matching then prevents duplicates)";

    /** What the operator can do about a damaged journal. */
    static final String JOURNAL_REMEDY = "move the journal away to go on from the last snapshot (identity matching"
            + " finds the messages its intents appended)";

    /**
     * The checkpoint a journal gives, the whole entries it was read from, and how much of the
     * bytes they take up.
     */
    public record JournalRead(FolderCheckpoint checkpoint, List<JournalEntry> entries, long soundLength, boolean torn) {
        public JournalRead {
            entries = ImmutableList.copyOf(entries);
        }
    }

    /** One line of a file: its bytes [start, end) without the newline; 1-based number. */
    private record Line(int number, int start, int end, boolean terminated) {}

    /** Reads a snapshot; {@code file} names it in errors. */
    public static FolderCheckpoint decodeSnapshot(byte[] bytes, String file) throws CheckpointDamagedException {
        List<Line> lines = split(bytes);
        Reader r = new Reader(bytes, file, SNAPSHOT_REMEDY);
        if (lines.isEmpty() || !r.text(lines.get(0)).equals(MAGIC)) {
            throw r.damaged(1, "not a mailsync checkpoint (no '" + MAGIC + "' first line)");
        }
        if (!lines.get(lines.size() - 1).terminated()) {
            // Snapshots are replaced whole, never appended to: a line without its newline is damage.
            throw r.damaged(lines.get(lines.size() - 1).number(), "cut short (no newline at the end)");
        }
        @Nullable SideState source = null;
        @Nullable SideState target = null;
        boolean complete = false;
        boolean mirrored = false;
        long lastIntent = 0;
        java.util.TreeMap<MessageUid, PairEntry> pairs = new java.util.TreeMap<>();
        java.util.TreeSet<MessageUid> orphans = new java.util.TreeSet<>();
        List<JournalEntry.AppendIntent> pending = new ArrayList<>();
        boolean ended = false;
        int i = 1;
        while (i < lines.size() && !ended) {
            Line line = lines.get(i);
            List<String> w = r.words(line);
            try {
                switch (w.get(0)) {
                    case "pair" -> {}
                    case "source" -> source = decodeSide(w);
                    case "target" -> target = decodeSide(w);
                    case "complete" -> complete = Boolean.parseBoolean(w.get(1));
                    case "mirrored" -> mirrored = Boolean.parseBoolean(w.get(1));
                    case "last-intent" -> lastIntent = Long.parseLong(w.get(1));
                    case "p" -> {
                        PairEntry p = decodePair(w);
                        pairs.put(p.source(), p);
                    }
                    case "o" -> orphans.add(MessageUid.of(Long.parseLong(w.get(1))));
                    case "intent" -> {
                        // A snapshot's intents are pending as they stand: applying them as
                        // journal records would drop them (their ids are not above last-intent).
                        int n = r.count(line, w, 4, 1, lines.size() - i - 1);
                        pending.add(decodeIntent(w, r, lines.subList(i + 1, i + 1 + n)));
                        i += n;
                    }
                    case "end" -> ended = true;
                    default -> throw r.damaged(line.number(), "unknown record '" + w.get(0) + "'");
                }
            } catch (RuntimeException | IOException e) {
                throw r.damaged(line.number(), e);
            }
            i++;
        }
        if (!ended) {
            throw r.damaged(lines.isEmpty() ? 1 : lines.get(lines.size() - 1).number(), "cut short (no end line)");
        }
        if (i < lines.size()) {
            throw r.damaged(lines.get(i).number(), "text after the end line");
        }
        return new FolderCheckpoint(
                source,
                target,
                complete,
                mirrored,
                ImmutableSortedMap.copyOf(pairs),
                com.google.common.collect.ImmutableSortedSet.copyOf(orphans),
                ImmutableList.copyOf(pending),
                lastIntent);
    }

    /**
     * Reads what the skip test needs of a snapshot ({@link CheckpointHead}) without decoding its
     * pairs: the lines before the first pair, orphan or intent record, a search for intent records
     * anywhere, and the end line. A snapshot whose first lines {@link #decodeSnapshot} would refuse,
     * or that is cut short, is refused here too; damage among the pairs is found when the folder
     * is synced.
     */
    public static CheckpointHead decodeSnapshotHead(byte[] bytes, String file) throws CheckpointDamagedException {
        Reader r = new Reader(bytes, file, SNAPSHOT_REMEDY);
        int lineStart = 0;
        int number = 1;
        @Nullable SideState source = null;
        @Nullable SideState target = null;
        boolean complete = false;
        boolean mirrored = false;
        while (lineStart < bytes.length) {
            int end = lineStart;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end == bytes.length) {
                throw r.damaged(number, "cut short (no newline at the end)");
            }
            Line line = new Line(number, lineStart, end, true);
            if (number == 1) {
                if (!r.text(line).equals(MAGIC)) {
                    throw r.damaged(1, "not a mailsync checkpoint (no '" + MAGIC + "' first line)");
                }
            } else {
                List<String> w = r.words(line);
                String record = w.get(0);
                if (record.equals("p") || record.equals("o") || record.equals("intent") || record.equals("end")) {
                    break;
                }
                try {
                    switch (record) {
                        case "pair", "last-intent" -> {}
                        case "source" -> source = decodeSide(w);
                        case "target" -> target = decodeSide(w);
                        case "complete" -> complete = Boolean.parseBoolean(w.get(1));
                        case "mirrored" -> mirrored = Boolean.parseBoolean(w.get(1));
                        default -> throw r.damaged(number, "unknown record '" + record + "'");
                    }
                } catch (RuntimeException e) {
                    throw r.damaged(number, e);
                }
            }
            lineStart = end + 1;
            number++;
        }
        if (lineStart >= bytes.length) {
            throw r.damaged(
                    Math.max(1, number - 1),
                    bytes.length == 0 ? "not a mailsync checkpoint (empty)" : "cut short (no end line)");
        }
        if (!endsWithEndLine(bytes)) {
            throw r.damaged(
                    number,
                    bytes[bytes.length - 1] != '\n' ? "cut short (no newline at the end)" : "cut short (no end line)");
        }
        return new CheckpointHead(source, target, complete, mirrored, hasLineStartingWith(bytes, "intent "));
    }

    /** Whether the last line of {@code bytes} is the end line. */
    private static boolean endsWithEndLine(byte[] bytes) {
        int n = bytes.length;
        return n >= 5
                && bytes[n - 5] == '\n'
                && bytes[n - 4] == 'e'
                && bytes[n - 3] == 'n'
                && bytes[n - 2] == 'd'
                && bytes[n - 1] == '\n';
    }

    /** Whether a line of {@code bytes} starts with {@code prefix} (ASCII). */
    private static boolean hasLineStartingWith(byte[] bytes, String prefix) {
        int length = prefix.length();
        for (int start = 0; start + length <= bytes.length; ) {
            int k = 0;
            while (k < length && bytes[start + k] == prefix.charAt(k)) {
                k++;
            }
            if (k == length) {
                return true;
            }
            while (start < bytes.length && bytes[start] != '\n') {
                start++;
            }
            start++;
        }
        return false;
    }

    /**
     * Applies a journal's records onto {@code base}. A torn last record (the file ends inside it:
     * a crash while it was being appended) is left out and reported as {@code torn}, with the
     * length of the sound part so that the writer can cut it off before it appends again; any
     * other damage is an error naming the file and line.
     */
    public static JournalRead decodeJournal(byte[] bytes, FolderCheckpoint base, String file)
            throws CheckpointDamagedException {
        List<Line> all = split(bytes);
        Reader r = new Reader(bytes, file, JOURNAL_REMEDY);
        // Only the last line can lack its newline; it is torn unless it is a complete record.
        List<Line> lines = all;
        @Nullable Line tail = null;
        if (!all.isEmpty() && !all.get(all.size() - 1).terminated()) {
            tail = all.get(all.size() - 1);
            lines = all.subList(0, all.size() - 1);
        }
        FolderCheckpoint cp = base;
        List<JournalEntry> entries = new ArrayList<>();
        int i = 0;
        long sound = 0;
        while (i < lines.size()) {
            Line head = lines.get(i);
            List<String> w = r.words(head);
            int announced;
            try {
                announced = switch (w.get(0)) {
                    case "intent" -> r.count(head, w, 4, 1, Integer.MAX_VALUE);
                    case "done" -> r.count(head, w, 2, 0, Integer.MAX_VALUE);
                    default -> throw r.damaged(head.number(), "unknown record '" + w.get(0) + "'");};
            } catch (RuntimeException e) {
                throw r.damaged(head.number(), e);
            }
            int available = lines.size() - i - 1;
            List<Line> body = lines.subList(i + 1, i + 1 + Math.min(announced, available));
            if (body.isEmpty() && announced > available) {
                r.checkTornTail(tail);
                return new JournalRead(cp, entries, sound, true);
            }
            JournalEntry entry;
            try {
                if (w.get(0).equals("intent")) {
                    entry = decodeIntent(w, r, body);
                } else {
                    entry = decodeDone(w, r, body);
                }
            } catch (CheckpointDamagedException e) {
                throw e;
            } catch (RuntimeException | IOException e) {
                throw r.damaged(head.number(), e);
            }
            if (announced > available) {
                // The file ends inside this record, every line of it sound so far: torn.
                r.checkTornTail(tail);
                return new JournalRead(cp, entries, sound, true);
            }
            cp = cp.apply(entry);
            entries.add(entry);
            i += 1 + announced;
            sound = body.isEmpty() ? head.end() + 1 : body.get(body.size() - 1).end() + 1;
        }
        if (tail != null) {
            r.checkTornTail(tail);
            return new JournalRead(cp, entries, sound, true);
        }
        return new JournalRead(cp, entries, sound, false);
    }

    /**
     * How many bytes of a journal are whole records: less than its length only if it ends in a
     * torn record, the part a writer must cut off before it appends again. A damaged journal
     * counts as whole here; reading it reports the damage.
     */
    public static long soundLength(byte[] journal) {
        try {
            JournalRead read = decodeJournal(journal, FolderCheckpoint.empty(), "journal");
            return read.torn() ? read.soundLength() : journal.length;
        } catch (CheckpointDamagedException e) {
            return journal.length;
        }
    }

    private static JournalEntry.AppendIntent decodeIntent(List<String> w, Reader r, List<Line> body)
            throws IOException {
        List<JournalEntry.IntentItem> items = new ArrayList<>();
        for (Line line : body) {
            List<String> iw = r.words(line);
            try {
                if (!iw.get(0).equals("item") || iw.size() < 4) {
                    throw r.damaged(line.number(), "expected an item line of the intent before it");
                }
                items.add(new JournalEntry.IntentItem(
                        MessageUid.of(Long.parseLong(iw.get(1))), iw.get(2), decodeFlags(iw.subList(3, iw.size()))));
            } catch (CheckpointDamagedException e) {
                throw e;
            } catch (RuntimeException | IOException e) {
                throw r.damaged(line.number(), e);
            }
        }
        return new JournalEntry.AppendIntent(
                Long.parseLong(w.get(1)),
                Generation.of(Long.parseLong(w.get(2))),
                MessageUid.of(Long.parseLong(w.get(3))),
                items);
    }

    private static JournalEntry.AppendDone decodeDone(List<String> w, Reader r, List<Line> body) throws IOException {
        List<PairEntry> done = new ArrayList<>();
        for (Line line : body) {
            List<String> pw = r.words(line);
            try {
                if (!pw.get(0).equals("p") || pw.size() < 4) {
                    throw r.damaged(line.number(), "expected a pair line of the done record before it");
                }
                done.add(decodePair(pw));
            } catch (CheckpointDamagedException e) {
                throw e;
            } catch (RuntimeException | IOException e) {
                throw r.damaged(line.number(), e);
            }
        }
        return new JournalEntry.AppendDone(Long.parseLong(w.get(1)), done);
    }

    /** The lines of {@code bytes}; a final newline ends the last line, it does not start one. */
    private static List<Line> split(byte[] bytes) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int k = 0; k < bytes.length; k++) {
            if (bytes[k] == '\n') {
                lines.add(new Line(lines.size() + 1, start, k, true));
                start = k + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(new Line(lines.size() + 1, start, bytes.length, false));
        }
        return lines;
    }

    /** Decodes lines strictly and words its errors. */
    private static final class Reader {
        private final byte[] bytes;
        private final String file;
        private final String remedy;

        Reader(byte[] bytes, String file, String remedy) {
            this.bytes = bytes;
            this.file = file;
            this.remedy = remedy;
        }

        String text(Line line) throws CheckpointDamagedException {
            try {
                return java.nio.charset.StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes, line.start(), line.end() - line.start()))
                        .toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw damaged(line.number(), "bytes that are not UTF-8");
            }
        }

        List<String> words(Line line) throws CheckpointDamagedException {
            String text = text(line);
            if (text.isEmpty() || text.chars().anyMatch(c -> c < ' ')) {
                throw damaged(line.number(), text.isEmpty() ? "an empty line" : "control characters");
            }
            return Splitter.on(' ').splitToList(text);
        }

        /** The count a record header announces (word {@code at}), {@code min} to {@code max}. */
        int count(Line line, List<String> w, int at, int min, int max) throws CheckpointDamagedException {
            int n = Integer.parseInt(w.get(at));
            if (n < min || n > max) {
                throw damaged(
                        line.number(),
                        "the record announces " + n + " lines"
                                + (n < min ? " (at least " + min + " expected)" : ", " + max + " follow"));
            }
            return n;
        }

        /**
         * A torn last line must look like the start of a record (or be the zeros a file system may
         * leave after a crash); anything else is not what an interrupted append leaves.
         */
        void checkTornTail(@Nullable Line tail) throws CheckpointDamagedException {
            if (tail == null) {
                return;
            }
            int end = tail.end();
            while (end > tail.start() && bytes[end - 1] == 0) {
                end--;
            }
            String text = null;
            // An append cut inside a multi-byte character leaves up to three bytes of it.
            for (int cut = 0; cut <= 3 && end - cut >= tail.start() && text == null; cut++) {
                try {
                    text = text(new Line(tail.number(), tail.start(), end - cut, false));
                } catch (CheckpointDamagedException e) {
                    // try shorter
                }
            }
            if (text == null || text.chars().anyMatch(c -> c < ' ')) {
                throw damaged(tail.number(), "the last line is neither a record nor the start of one");
            }
            boolean wordComplete = text.contains(" ");
            String first = wordComplete ? text.substring(0, text.indexOf(' ')) : text;
            boolean startsARecord = first.isEmpty() && !wordComplete
                    || List.of("intent", "item", "done", "p").stream()
                            .anyMatch(k -> wordComplete ? k.equals(first) : k.startsWith(first));
            if (!startsARecord) {
                throw damaged(tail.number(), "the last line is neither a record nor the start of one");
            }
        }

        CheckpointDamagedException damaged(int line, String problem) {
            return new CheckpointDamagedException(file, line, problem, remedy);
        }

        CheckpointDamagedException damaged(int line, Exception e) {
            if (e instanceof CheckpointDamagedException d) {
                return d;
            }
            String what = e instanceof IndexOutOfBoundsException
                    ? "a record with too few fields"
                    : e instanceof NumberFormatException
                            ? "a field that is not a number: " + e.getMessage()
                            : String.valueOf(e.getMessage());
            CheckpointDamagedException d = damaged(line, what);
            d.initCause(e);
            return d;
        }
    }

    private static @Nullable SideState decodeSide(List<String> w) {
        if (w.get(1).equals("-")) {
            return null;
        }
        return new SideState(
                Generation.of(Long.parseLong(w.get(1))),
                MessageUid.of(Long.parseLong(w.get(2))),
                Long.parseLong(w.get(3)),
                w.get(4).equals("-") ? null : ModSeq.of(Long.parseLong(w.get(4))));
    }

    private static PairEntry decodePair(List<String> w) throws IOException {
        return new PairEntry(
                MessageUid.of(Long.parseLong(w.get(1))),
                MessageUid.of(Long.parseLong(w.get(2))),
                decodeFlags(w.subList(3, w.size())));
    }
}
