package org.mailsync.spi;

import java.time.Instant;
import org.mailsync.Flags;
import org.mailsync.RawMessage;

/**
 * One message to append: its raw bytes (stored exactly as given), flags and internal date. The
 * caller keeps ownership of {@code message} and closes it.
 *
 * <p>Immutable.
 */
public record AppendRequest(RawMessage message, Flags flags, Instant internalDate) {}
