package org.mailsync.maildir;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.OptionalLong;

/**
 * A Maildir file name: a unique base, optional {@code ,S=<size>} and {@code ,W=<virtual size>}
 * fields inside it (Dovecot's and Courier's convention), and after {@code :2,} the flag letters.
 * mailsync adds {@code ,X=raw} to the base of a file whose bytes must be served exactly as stored
 * even though they hold bare LFs (see {@code MaildirStore}).
 *
 * <p>Immutable.
 */
record MaildirFileName(String base, String info) {
    /** Separates base and info (Maildir's {@code ':'}). */
    public static final char INFO_SEPARATOR = ':';

    /** The info prefix of the flag list. */
    public static final String FLAGS_PREFIX = "2,";

    /** Marks a base whose file mailsync serves exactly as stored. */
    public static final String RAW_FIELD = ",X=raw";

    public MaildirFileName {
        checkArgument(
                !base.isEmpty() && base.indexOf(INFO_SEPARATOR) < 0 && base.indexOf('/') < 0, "bad base %s", base);
    }

    /** Splits a file name at its first {@code ':'}. */
    public static MaildirFileName parse(String fileName) {
        int colon = fileName.indexOf(INFO_SEPARATOR);
        return colon < 0
                ? new MaildirFileName(fileName, "")
                : new MaildirFileName(fileName.substring(0, colon), fileName.substring(colon + 1));
    }

    /** The base of a file name: everything before its first {@code ':'}. */
    public static String baseOf(String fileName) {
        int colon = fileName.indexOf(INFO_SEPARATOR);
        return colon < 0 ? fileName : fileName.substring(0, colon);
    }

    /** The flag letters, if the info is of the {@code 2,} kind; otherwise none. */
    public String flagLetters() {
        return info.startsWith(FLAGS_PREFIX) ? info.substring(FLAGS_PREFIX.length()) : "";
    }

    /** This name with other flag letters (sorted, as Maildir wants them). */
    public MaildirFileName withFlagLetters(String letters) {
        char[] sorted = letters.toCharArray();
        java.util.Arrays.sort(sorted);
        return new MaildirFileName(base, FLAGS_PREFIX + new String(sorted));
    }

    /** The physical size from {@code ,S=}, if the base carries it. */
    public OptionalLong physicalSize() {
        return field('S');
    }

    /** The virtual (CRLF) size from {@code ,W=}, if the base carries it. */
    public OptionalLong virtualSize() {
        return field('W');
    }

    /** Whether mailsync marked this file to be served exactly as stored. */
    public boolean raw() {
        return base.contains(RAW_FIELD);
    }

    private OptionalLong field(char key) {
        String marker = "," + key + "=";
        int at = base.indexOf(marker);
        if (at < 0) {
            return OptionalLong.empty();
        }
        int start = at + marker.length();
        int end = start;
        while (end < base.length() && Character.isDigit(base.charAt(end))) {
            end++;
        }
        if (end == start || end - start > 18 || (end < base.length() && base.charAt(end) != ',')) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(base.substring(start, end)));
    }

    /** The file name: base, and {@code :info} if there is an info. */
    @Override
    public String toString() {
        return info.isEmpty() ? base : base + INFO_SEPARATOR + info;
    }
}
