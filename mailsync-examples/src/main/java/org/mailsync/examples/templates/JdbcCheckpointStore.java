package org.mailsync.examples.templates;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.FolderCheckpoint;
import org.mailsync.spi.JournalEntry;
import org.mailsync.spi.PairEntry;
import org.mailsync.spi.SideState;

/**
 * Template: keep the engine's checkpoints in your own database instead of files. Two tables: a
 * snapshot per folder pair, and a journal of append intents and results written between
 * snapshots. The engine needs exactly what {@link CheckpointStore} says: a journal row is
 * committed before {@code journal} returns (auto-commit), and {@code save} replaces the snapshot
 * and clears the journal in one transaction.
 *
 * <p>The checkpoint is stored as a few lines of text ({@link #encode}); a vendor who wants to
 * query the pair map could store its lines as rows instead.
 *
 * <p>Thread-safe if the data source is: each call takes its own connection.
 */
public final class JdbcCheckpointStore implements CheckpointStore {
    /** Folder path segments never hold control characters, so this separator is unambiguous. */
    private static final char SEGMENT_SEPARATOR = '\u001f';

    private final DataSource dataSource;
    private final String syncId;

    private JdbcCheckpointStore(DataSource dataSource, String syncId) {
        this.dataSource = dataSource;
        this.syncId = syncId;
    }

    /**
     * A store for the sync named {@code syncId} (one per source/target pair, e.g. the account), in
     * {@code dataSource}; creates the tables if they are missing.
     */
    public static JdbcCheckpointStore create(DataSource dataSource, String syncId) throws IOException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS mailsync_checkpoint ("
                    + "sync_id VARCHAR(200) NOT NULL, source_folder VARCHAR(2000) NOT NULL, "
                    + "target_folder VARCHAR(2000) NOT NULL, snapshot CLOB NOT NULL, "
                    + "PRIMARY KEY (sync_id, source_folder, target_folder))");
            s.execute(
                    "CREATE TABLE IF NOT EXISTS mailsync_journal ("
                            + "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sync_id VARCHAR(200) NOT NULL, "
                            + "source_folder VARCHAR(2000) NOT NULL, target_folder VARCHAR(2000) NOT NULL, entry CLOB NOT NULL)");
        } catch (SQLException e) {
            throw new IOException("cannot create the checkpoint tables: " + e.getMessage(), e);
        }
        return new JdbcCheckpointStore(dataSource, syncId);
    }

    @Override
    public Optional<FolderCheckpoint> load(FolderPair pair) throws IOException {
        try (Connection c = dataSource.getConnection()) {
            FolderCheckpoint cp = null;
            try (PreparedStatement q = prepare(
                    c,
                    "SELECT snapshot FROM mailsync_checkpoint WHERE sync_id=? AND source_folder=? AND target_folder=?",
                    pair)) {
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        cp = decodeSnapshot(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement q = prepare(
                    c,
                    "SELECT entry FROM mailsync_journal WHERE sync_id=? AND source_folder=? AND target_folder=?"
                            + " ORDER BY seq",
                    pair)) {
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        cp = (cp == null ? FolderCheckpoint.empty() : cp).apply(decodeEntry(rs.getString(1)));
                    }
                }
            }
            return Optional.ofNullable(cp);
        } catch (SQLException e) {
            throw new IOException("cannot load the checkpoint of " + pair + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(FolderPair pair, FolderCheckpoint checkpoint) throws IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement d = prepare(
                        c,
                        "DELETE FROM mailsync_checkpoint WHERE sync_id=? AND source_folder=? AND target_folder=?",
                        pair)) {
                    d.executeUpdate();
                }
                try (PreparedStatement i = prepare(
                        c,
                        "INSERT INTO mailsync_checkpoint (sync_id, source_folder, target_folder, snapshot)"
                                + " VALUES (?, ?, ?, ?)",
                        pair)) {
                    i.setString(4, encode(checkpoint));
                    i.executeUpdate();
                }
                try (PreparedStatement d = prepare(
                        c,
                        "DELETE FROM mailsync_journal WHERE sync_id=? AND source_folder=? AND target_folder=?",
                        pair)) {
                    d.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("cannot save the checkpoint of " + pair + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void journal(FolderPair pair, JournalEntry entry) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement i = prepare(
                        c,
                        "INSERT INTO mailsync_journal (sync_id, source_folder, target_folder, entry) VALUES (?, ?, ?, ?)",
                        pair)) {
            i.setString(4, encode(entry));
            i.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IOException("cannot journal for " + pair + ": " + e.getMessage(), e);
        }
    }

    private PreparedStatement prepare(Connection c, String sql, FolderPair pair) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setString(1, syncId);
        s.setString(2, pair.source().join(SEGMENT_SEPARATOR));
        s.setString(3, pair.target().join(SEGMENT_SEPARATOR));
        return s;
    }

    // --- text form: one fact per line; flags last, as IMAP writes them (they hold spaces) ---

    /** A checkpoint as text. */
    static String encode(FolderCheckpoint cp) {
        StringBuilder out = new StringBuilder();
        side(out, "source", cp.source());
        side(out, "target", cp.target());
        out.append("state ")
                .append(cp.complete())
                .append(' ')
                .append(cp.mirrored())
                .append(' ')
                .append(cp.lastIntentId())
                .append('\n');
        for (PairEntry p : cp.pairs().values()) {
            pairLine(out, p);
        }
        for (MessageUid orphan : cp.orphans()) {
            out.append("orphan ").append(orphan.value()).append('\n');
        }
        for (JournalEntry.AppendIntent intent : cp.pending()) {
            out.append(encode(intent));
        }
        return out.toString();
    }

    /** A journal entry as text. */
    static String encode(JournalEntry entry) {
        StringBuilder out = new StringBuilder();
        if (entry instanceof JournalEntry.AppendIntent intent) {
            out.append("intent ")
                    .append(intent.id())
                    .append(' ')
                    .append(intent.targetGeneration().value())
                    .append(' ')
                    .append(intent.targetNextUid().value())
                    .append('\n');
            for (JournalEntry.IntentItem item : intent.items()) {
                out.append("item ")
                        .append(item.source().value())
                        .append(' ')
                        .append(item.identityKey())
                        .append(' ')
                        .append(item.flags())
                        .append('\n');
            }
        } else {
            JournalEntry.AppendDone done = (JournalEntry.AppendDone) entry;
            out.append("done ").append(done.intentId()).append('\n');
            for (PairEntry p : done.pairs()) {
                pairLine(out, p);
            }
        }
        return out.toString();
    }

    private static void side(StringBuilder out, String name, @Nullable SideState s) {
        if (s != null) {
            out.append(name)
                    .append(' ')
                    .append(s.generation().value())
                    .append(' ')
                    .append(s.nextUid().value())
                    .append(' ')
                    .append(s.messageCount())
                    .append(' ')
                    .append(
                            s.highestModSeq() == null
                                    ? "-"
                                    : String.valueOf(s.highestModSeq().value()))
                    .append('\n');
        }
    }

    private static void pairLine(StringBuilder out, PairEntry p) {
        out.append("pair ")
                .append(p.source().value())
                .append(' ')
                .append(p.target().value())
                .append(' ')
                .append(p.syncedFlags())
                .append('\n');
    }

    static FolderCheckpoint decodeSnapshot(String text) {
        SideState source = null;
        SideState target = null;
        boolean complete = false;
        boolean mirrored = false;
        long lastIntent = 0;
        TreeMap<MessageUid, PairEntry> pairs = new TreeMap<>();
        TreeSet<MessageUid> orphans = new TreeSet<>();
        List<JournalEntry.AppendIntent> pending = new ArrayList<>();
        List<String> intentLines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(" ", 5);
            switch (f[0]) {
                case "source", "target" -> {
                    SideState s = new SideState(
                            Generation.of(Long.parseLong(f[1])),
                            MessageUid.of(Long.parseLong(f[2])),
                            Long.parseLong(f[3]),
                            f[4].equals("-") ? null : ModSeq.of(Long.parseLong(f[4])));
                    if (f[0].equals("source")) {
                        source = s;
                    } else {
                        target = s;
                    }
                }
                case "state" -> {
                    complete = Boolean.parseBoolean(f[1]);
                    mirrored = Boolean.parseBoolean(f[2]);
                    lastIntent = Long.parseLong(f[3]);
                }
                case "pair" -> {
                    PairEntry p = pair(line);
                    pairs.put(p.source(), p);
                }
                case "orphan" -> orphans.add(MessageUid.of(Long.parseLong(f[1])));
                case "intent" -> {
                    if (!intentLines.isEmpty()) {
                        pending.add((JournalEntry.AppendIntent) decodeEntry(String.join("\n", intentLines)));
                    }
                    intentLines = new ArrayList<>(List.of(line));
                }
                case "item" -> intentLines.add(line);
                default -> throw new IllegalArgumentException("damaged checkpoint line: " + line);
            }
        }
        if (!intentLines.isEmpty()) {
            pending.add((JournalEntry.AppendIntent) decodeEntry(String.join("\n", intentLines)));
        }
        return new FolderCheckpoint(
                source,
                target,
                complete,
                mirrored,
                ImmutableSortedMap.copyOf(pairs),
                ImmutableSortedSet.copyOf(orphans),
                ImmutableList.copyOf(pending),
                lastIntent);
    }

    static JournalEntry decodeEntry(String text) {
        String[] lines = text.split("\n");
        String[] head = lines[0].split(" ");
        if (head[0].equals("intent")) {
            List<JournalEntry.IntentItem> items = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(" ", 4);
                items.add(new JournalEntry.IntentItem(
                        MessageUid.of(Long.parseLong(f[1])), f[2], Flags.parse(f.length > 3 ? f[3] : "")));
            }
            return new JournalEntry.AppendIntent(
                    Long.parseLong(head[1]),
                    Generation.of(Long.parseLong(head[2])),
                    MessageUid.of(Long.parseLong(head[3])),
                    items);
        }
        List<PairEntry> pairs = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            pairs.add(pair(lines[i]));
        }
        return new JournalEntry.AppendDone(Long.parseLong(head[1]), pairs);
    }

    private static PairEntry pair(String line) {
        String[] f = line.split(" ", 4);
        return new PairEntry(
                MessageUid.of(Long.parseLong(f[1])),
                MessageUid.of(Long.parseLong(f[2])),
                Flags.parse(f.length > 3 ? f[3] : ""));
    }
}
