package org.mailsync.internal;

import org.mailsync.Flags;
import org.mailsync.MessageUid;

/**
 * One copied message: its id in the source, its id in the target, and the source's flags when it
 * was last synced (the "last" of the three-way flag comparison).
 *
 * <p>Immutable.
 */
public record PairEntry(MessageUid source, MessageUid target, Flags syncedFlags) {}
