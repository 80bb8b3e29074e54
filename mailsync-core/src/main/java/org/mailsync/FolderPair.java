package org.mailsync;

/**
 * A source folder and the target folder it syncs into: the unit the engine works, checkpoints and
 * reports on.
 *
 * <p>Immutable.
 */
public record FolderPair(FolderPath source, FolderPath target) {
    @Override
    public String toString() {
        return source + " -> " + target;
    }
}
