package org.mailsync.spi.support;

import java.util.Optional;
import java.util.Set;
import org.mailsync.Flag;

/**
 * The Maildir letters of the five system flags: {@code D} draft, {@code F} flagged, {@code R}
 * replied (answered), {@code S} seen, {@code T} trashed (deleted), as the Maildir specification
 * and Dovecot write them after {@code :2,}. {@code P} (passed) has no IMAP flag and so no entry
 * here; keyword letters ({@code a} to {@code z}) are each Maildir's own. The checkpoint's compact
 * flag form uses the same letters.
 *
 * <p>Thread-safe (stateless).
 */
public final class MaildirFlags {
    /** The letters of the system flags in ASCII order, the order a Maildir file name wants. */
    public static final String SYSTEM_LETTERS = "DFRST";

    private MaildirFlags() {}

    /** The letter of a system flag. */
    public static char letter(Flag flag) {
        return switch (flag) {
            case DRAFT -> 'D';
            case FLAGGED -> 'F';
            case ANSWERED -> 'R';
            case SEEN -> 'S';
            case DELETED -> 'T';
        };
    }

    /** The system flag of a letter; empty for any other character (keyword letters, {@code P}). */
    public static Optional<Flag> flag(char letter) {
        return switch (letter) {
            case 'D' -> Optional.of(Flag.DRAFT);
            case 'F' -> Optional.of(Flag.FLAGGED);
            case 'R' -> Optional.of(Flag.ANSWERED);
            case 'S' -> Optional.of(Flag.SEEN);
            case 'T' -> Optional.of(Flag.DELETED);
            default -> Optional.empty();
        };
    }

    /** The letters of {@code flags}, in ASCII order; empty for none. */
    public static String letters(Set<Flag> flags) {
        StringBuilder out = new StringBuilder(SYSTEM_LETTERS.length());
        for (char c : SYSTEM_LETTERS.toCharArray()) {
            if (flags.contains(flag(c).orElseThrow())) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
