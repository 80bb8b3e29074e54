package org.mailsync.jdbc;

import java.time.Instant;

/**
 * A mailbox's lease row as the database holds it, for a status page or an error message.
 *
 * <p>Immutable.
 *
 * @param mailbox the mailbox
 * @param epoch the epoch of the last acquisition
 * @param holder who took it last
 * @param acquiredAt when, by the database clock
 * @param expiresAt when it expires (or expired), by the database clock
 * @param held whether it was unexpired when read
 */
public record LeaseInfo(
        String mailbox, long epoch, String holder, Instant acquiredAt, Instant expiresAt, boolean held) {}
