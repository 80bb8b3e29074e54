package org.mailsync.spi;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One piece of a checkpoint as a {@link CheckpointStore} keeps it: a snapshot, or one journal
 * entry. The store does not read it: it keeps the three fields and gives them back unchanged.
 *
 * <ul>
 *   <li>{@code key} names one folder pair of one sync: printable text without line breaks (the
 *       engine's own encoding of the two folder paths), unique within the store.
 *   <li>{@code version} is the format of {@code data} (today 1): the engine writes it and reads
 *       older formats by it, so that checkpoints outlive upgrades.
 *   <li>{@code data} is the engine's bytes: today UTF-8 text, one fact per line, so that an
 *       operator can read it. Tens of bytes per message for a snapshot.
 * </ul>
 *
 * <p>Immutable: {@link #data()} is copied in and out.
 */
public record CheckpointRecord(String key, long version, byte[] data) {
    /** Checks the key and version and copies the data. */
    public CheckpointRecord {
        checkArgument(
                !key.isEmpty() && key.chars().noneMatch(c -> c < ' ' || c == 0x7f),
                "a checkpoint key must be printable text on one line, not \"%s\"",
                key);
        checkArgument(version > 0, "a checkpoint format version must be positive, not %s", version);
        data = data.clone();
    }

    /** The bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The number of bytes of {@link #data()}, without copying it. */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof CheckpointRecord r
                && key.equals(r.key)
                && version == r.version
                && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + Long.hashCode(version)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CheckpointRecord[" + key + ", version " + version + ", " + data.length + " bytes]";
    }
}
