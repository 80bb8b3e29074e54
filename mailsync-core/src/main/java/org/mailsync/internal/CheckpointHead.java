package org.mailsync.internal;

import org.jspecify.annotations.Nullable;

/**
 * What the skip test needs of a folder pair's checkpoint, read without decoding its pair map:
 * each side's state when the last pass ended, whether that pass was complete and mirrored, and
 * whether an append intent is pending. An unchanged folder of a large account is skipped on
 * every delta pass, so its tens of thousands of pair lines are decoded only when it changed.
 *
 * <p>Immutable.
 */
public record CheckpointHead(
        @Nullable SideState source, @Nullable SideState target, boolean complete, boolean mirrored, boolean pending) {
    /** The head of a whole checkpoint. */
    public static CheckpointHead of(FolderCheckpoint cp) {
        return new CheckpointHead(
                cp.source(),
                cp.target(),
                cp.complete(),
                cp.mirrored(),
                !cp.pending().isEmpty());
    }
}
