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
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.spi.FolderCheckpoint;
import org.mailsync.spi.JournalEntry;
import org.mailsync.spi.PairEntry;
import org.mailsync.spi.SideState;

/**
 * The text form of checkpoints and journal records: one record per line, space-separated, so a
 * human can read it and a torn last record is easy to spot. Flags are written with Maildir's
 * letters (D draft, F flagged, R answered, S seen, T deleted) followed by the keywords.
 *
 * <p>Thread-safe (stateless).
 */
public final class CheckpointCodec {
    /** The first line of every checkpoint file; the number is the format version. */
    public static final String MAGIC = "mailsync-checkpoint 1";

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
        StringBuilder letters = new StringBuilder();
        if (flags.contains(Flag.DRAFT)) letters.append('D');
        if (flags.contains(Flag.FLAGGED)) letters.append('F');
        if (flags.contains(Flag.ANSWERED)) letters.append('R');
        if (flags.contains(Flag.SEEN)) letters.append('S');
        if (flags.contains(Flag.DELETED)) letters.append('T');
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
                system.add(
                        switch (c) {
                            case 'D' -> Flag.DRAFT;
                            case 'F' -> Flag.FLAGGED;
                            case 'R' -> Flag.ANSWERED;
                            case 'S' -> Flag.SEEN;
                            case 'T' -> Flag.DELETED;
                            default -> throw new IOException("unknown flag letter " + c);
                        });
            }
        }
        return Flags.of(system, new TreeSet<>(words.subList(1, words.size())));
    }

    /**
     * Reads a snapshot (or, with {@code journal}, journal records applied onto {@code base}).
     * Records cut short by a crash at the end of a journal are ignored: they were never durable.
     */
    public static FolderCheckpoint decode(String text, FolderCheckpoint base, boolean journal) throws IOException {
        List<String> lines = Splitter.on('\n').splitToList(text);
        int i = 0;
        @Nullable SideState source = base.source();
        @Nullable SideState target = base.target();
        boolean complete = base.complete();
        boolean mirrored = base.mirrored();
        long lastIntent = base.lastIntentId();
        java.util.TreeMap<MessageUid, PairEntry> pairs = new java.util.TreeMap<>();
        List<JournalEntry> records = new ArrayList<>();
        List<JournalEntry.AppendIntent> pending = new ArrayList<>();
        java.util.TreeSet<MessageUid> orphans = new java.util.TreeSet<>();
        if (!journal) {
            if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
                throw new IOException(
                        "not a mailsync checkpoint (first line " + (lines.isEmpty() ? "" : lines.get(0)) + ")");
            }
            i = 1;
        }
        boolean ended = journal;
        try {
            while (i < lines.size()) {
                String line = lines.get(i++);
                if (line.isEmpty()) {
                    continue;
                }
                List<String> w = Splitter.on(' ').splitToList(line);
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
                        int n = Integer.parseInt(w.get(4));
                        if (i + n > lines.size()
                                || lines.subList(i, i + n).stream().anyMatch(l -> !l.startsWith("item "))) {
                            if (journal) {
                                i = lines.size(); // a torn last record
                                continue;
                            }
                            throw new IOException("intent record cut short");
                        }
                        List<JournalEntry.IntentItem> items = new ArrayList<>();
                        for (int k = 0; k < n; k++) {
                            List<String> iw = Splitter.on(' ').splitToList(lines.get(i++));
                            items.add(new JournalEntry.IntentItem(
                                    MessageUid.of(Long.parseLong(iw.get(1))),
                                    iw.get(2),
                                    decodeFlags(iw.subList(3, iw.size()))));
                        }
                        JournalEntry.AppendIntent intent = new JournalEntry.AppendIntent(
                                Long.parseLong(w.get(1)),
                                Generation.of(Long.parseLong(w.get(2))),
                                MessageUid.of(Long.parseLong(w.get(3))),
                                items);
                        if (journal) {
                            records.add(intent);
                        } else {
                            // A snapshot's intents are pending as they stand: applying them as
                            // journal records would drop them (their ids are not above last-intent).
                            pending.add(intent);
                        }
                    }
                    case "done" -> {
                        int n = Integer.parseInt(w.get(2));
                        if (i + n > lines.size()
                                || lines.subList(i, i + n).stream().anyMatch(l -> !l.startsWith("p "))) {
                            if (journal) {
                                i = lines.size();
                                continue;
                            }
                            throw new IOException("done record cut short");
                        }
                        List<PairEntry> done = new ArrayList<>();
                        for (int k = 0; k < n; k++) {
                            done.add(decodePair(Splitter.on(' ').splitToList(lines.get(i++))));
                        }
                        records.add(new JournalEntry.AppendDone(Long.parseLong(w.get(1)), done));
                    }
                    case "end" -> ended = true;
                    default -> {
                        if (journal && i == lines.size()) {
                            continue; // a torn last line
                        }
                        throw new IOException("unknown record: " + line);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!journal) {
                throw new IOException("damaged checkpoint at line " + i + ": " + e.getMessage(), e);
            }
            // a torn last record in the journal: what came before it stands
        }
        if (!ended) {
            throw new IOException("checkpoint cut short (no end line)");
        }
        FolderCheckpoint cp;
        if (journal) {
            cp = base;
        } else {
            cp = new FolderCheckpoint(
                    source,
                    target,
                    complete,
                    mirrored,
                    ImmutableSortedMap.copyOf(pairs),
                    com.google.common.collect.ImmutableSortedSet.copyOf(orphans),
                    ImmutableList.copyOf(pending),
                    lastIntent);
        }
        for (JournalEntry record : records) {
            cp = cp.apply(record);
        }
        return cp;
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
