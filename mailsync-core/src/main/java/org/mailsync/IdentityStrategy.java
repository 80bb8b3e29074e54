package org.mailsync;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decides whether a message is already on the target when the pair map cannot say: on the first
 * pass against a target that already holds mail, after a generation change, and when settling an
 * append interrupted by a crash. Two messages with the same key are taken for copies of each
 * other; matching counts, it never collapses (two sources with one key need two targets).
 *
 * <p>See {@link IdentityStrategies} for the built-in ones. Implementations are thread-safe.
 */
public interface IdentityStrategy {
    /** Whether {@link #key} needs the whole message (a content hash) or only its header block. */
    boolean needsFullContent();

    /**
     * The identity key of a message: non-empty, without white space.
     *
     * @param info the message's metadata (size, date ...)
     * @param data the header block, or the whole message if {@link #needsFullContent()}
     */
    String key(MessageInfo info, InputStream data) throws IOException;
}
