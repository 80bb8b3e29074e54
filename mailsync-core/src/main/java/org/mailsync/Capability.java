package org.mailsync;

/**
 * What a store can do beyond the basics every store has (folders, list, read, append, system
 * flags, delete). The sync engine picks its path from these, never from the store's class.
 *
 * <p>Immutable.
 */
public enum Capability {
    /** Keeps keywords (IMAP PERMANENTFLAGS {@code \*}, a Maildir keyword file, mbox X-Keywords). */
    KEYWORDS,
    /** Append returns the new message's id (IMAP UIDPLUS APPENDUID, or a local store). */
    APPEND_UID,
    /** Keeps a modification sequence per message and answers "changed since" (CONDSTORE). */
    MODSEQ,
    /** Declares special-use attributes on folders (RFC 6154). */
    SPECIAL_USE,
    /** Keeps subscriptions. */
    SUBSCRIPTIONS,
    /** Appends several messages in one transaction (IMAP MULTIAPPEND); batches are cheaper. */
    BATCH_APPEND,
    /**
     * Tells which ids were expunged since a modseq ({@link org.mailsync.spi.MailFolder#vanishedSince},
     * IMAP QRESYNC), so a mirror pass need not list every message to find deletions. Implies
     * {@link #MODSEQ}.
     */
    VANISHED
}
