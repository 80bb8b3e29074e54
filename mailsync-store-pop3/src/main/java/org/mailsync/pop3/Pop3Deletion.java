package org.mailsync.pop3;

import com.google.common.collect.ImmutableList;

/**
 * What {@link Pop3Store#deleteCopied} did: how many messages it deleted on the POP3 server (each
 * one found on the target first), how many it kept because the target does not have them, and
 * why it deleted nothing at all, if it did not try.
 *
 * @param deleted messages deleted on the server (the server confirmed the deletion at QUIT)
 * @param kept messages left on the server: the target does not hold them (not copied yet, refused,
 *     or stored altered)
 * @param notes one sentence each: why nothing was deleted, or what to know about what was
 *     <p>Immutable.
 */
public record Pop3Deletion(long deleted, long kept, ImmutableList<String> notes) {
    /** A result that deleted nothing, for this reason. */
    static Pop3Deletion none(String reason) {
        return new Pop3Deletion(0, 0, ImmutableList.of(reason));
    }
}
