package org.mailsync;

import java.util.Locale;
import java.util.Optional;

/**
 * The special uses of a folder (RFC 6154), so that a sent-mail folder maps onto the target's
 * sent-mail folder whatever either is called.
 *
 * <p>Immutable.
 */
public enum SpecialUse {
    ALL("\\All"),
    ARCHIVE("\\Archive"),
    DRAFTS("\\Drafts"),
    FLAGGED("\\Flagged"),
    JUNK("\\Junk"),
    SENT("\\Sent"),
    TRASH("\\Trash");

    private final String attribute;

    SpecialUse(String attribute) {
        this.attribute = attribute;
    }

    /** The LIST attribute, with its backslash. */
    public String attribute() {
        return attribute;
    }

    /** The special use named by a LIST attribute, in any case. */
    public static Optional<SpecialUse> fromAttribute(String attribute) {
        String lower = attribute.toLowerCase(Locale.ROOT);
        for (SpecialUse use : values()) {
            if (use.attribute.toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.of(use);
            }
        }
        return Optional.empty();
    }
}
