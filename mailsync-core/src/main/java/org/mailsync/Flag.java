package org.mailsync;

import java.util.Locale;
import java.util.Optional;

/**
 * The IMAP system flags that a message keeps (RFC 3501 2.3.2). {@code \Recent} is a property of a
 * session, not of a message, and is not carried.
 *
 * <p>Immutable.
 */
public enum Flag {
    ANSWERED("\\Answered"),
    FLAGGED("\\Flagged"),
    DELETED("\\Deleted"),
    SEEN("\\Seen"),
    DRAFT("\\Draft");

    private final String imapName;

    Flag(String imapName) {
        this.imapName = imapName;
    }

    /** The name as IMAP writes it, with its backslash. */
    public String imapName() {
        return imapName;
    }

    /** The flag with this IMAP name, in any case; empty for any other name. */
    public static Optional<Flag> fromImapName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Flag flag : values()) {
            if (flag.imapName.toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.of(flag);
            }
        }
        return Optional.empty();
    }
}
