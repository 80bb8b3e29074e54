package org.mailsync.mbox;

/**
 * The line end an mbox file is written with. Messages in the SPI always have CRLF line ends.
 *
 * <p>Immutable.
 */
public enum LineEnding {
    /**
     * Unix files: each CRLF of a message is written as LF and read back as CRLF. A bare LF in a
     * message (which RFC 5322 does not allow) comes back as CRLF; everything else round-trips.
     */
    LF,
    /** Files with CRLF line ends: message bytes are written and read back unchanged. */
    CRLF
}
