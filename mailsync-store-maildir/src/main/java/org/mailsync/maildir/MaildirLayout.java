package org.mailsync.maildir;

/**
 * How folders sit on disk below a Maildir root. In both layouts the root itself is the inbox, and
 * each name segment is stored in IMAP's modified UTF-7 ({@code Entwürfe} is {@code Entw&APw-rfe}),
 * as Dovecot does by default.
 *
 * <p>Immutable.
 */
public enum MaildirLayout {
    /**
     * Maildir++ (Courier, Dovecot's default): every folder is a directory {@code .A.B.C} directly
     * under the root, so a segment cannot contain {@code .}. Dovecot: {@code maildir:~/Maildir}.
     */
    MAILDIR_PLUS_PLUS('.'),

    /**
     * Directories nested as the folders are: {@code A/B/C} under the root, so a segment cannot be
     * {@code .} or {@code ..}, contain {@code /}, or be {@code cur}, {@code new} or {@code tmp}.
     * Dovecot: {@code maildir:~/Maildir:LAYOUT=fs}.
     */
    FS('/');

    private final char separator;

    MaildirLayout(char separator) {
        this.separator = separator;
    }

    /** The character that separates segments on disk, which a segment therefore cannot hold. */
    public char separator() {
        return separator;
    }
}
