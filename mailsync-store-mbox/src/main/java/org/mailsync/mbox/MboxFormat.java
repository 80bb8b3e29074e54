package org.mailsync.mbox;

/**
 * The mbox variants (after the qmail mbox(5) page and jwz's notes on Content-Length). They differ
 * in how a {@code From } line inside a message is kept from splitting it.
 *
 * <p>Immutable.
 */
public enum MboxFormat {
    /**
     * A body line starting {@code From } is written {@code >From }; reading takes one {@code >}
     * off such lines. Lossy: a message's own {@code >From } line comes back as {@code From }.
     */
    MBOXO,
    /**
     * A body line matching {@code >*From } gets one more {@code >}; reading takes one off. Fully
     * reversible; the default for writing.
     */
    MBOXRD,
    /** As {@link #MBOXO}, plus a {@code Content-Length} header that frames the body. */
    MBOXCL,
    /**
     * A {@code Content-Length} header frames the body and nothing is escaped (Solaris mailx,
     * Dovecot). Fully reversible; the variant to write for a tree Dovecot will serve, as Dovecot
     * never unescapes {@code >From } lines.
     */
    MBOXCL2;

    boolean framedByContentLength() {
        return this == MBOXCL || this == MBOXCL2;
    }
}
