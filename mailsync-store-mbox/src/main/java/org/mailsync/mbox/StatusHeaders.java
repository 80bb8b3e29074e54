package org.mailsync.mbox;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.mailsync.Flag;
import org.mailsync.Flags;

/**
 * The headers that carry an mbox message's flags rather than its content, as c-client and
 * Dovecot ({@code Status}, {@code X-Status}, {@code X-Keywords}, {@code X-UID}, {@code
 * X-IMAPbase}, {@code X-IMAP}) and Thunderbird ({@code X-Mozilla-Status}, {@code
 * X-Mozilla-Status2}, {@code X-Mozilla-Keys}) write them. Reading takes them out of the message;
 * writing adds our own.
 *
 * <p>Not thread-safe; one instance collects the headers of one message.
 */
final class StatusHeaders {
    // Thunderbird's nsMsgMessageFlags.
    static final int MOZ_READ = 0x0001;
    static final int MOZ_REPLIED = 0x0002;
    static final int MOZ_MARKED = 0x0004;
    static final int MOZ_EXPUNGED = 0x0008;
    static final int MOZ_FORWARDED = 0x1000;
    static final int MOZ2_IMAP_DELETED = 0x0020_0000;
    static final String FORWARDED = "$Forwarded";

    /** What kind of header a line is. */
    enum Kind {
        STATUS,
        X_STATUS,
        X_KEYWORDS,
        X_UID,
        X_IMAPBASE,
        X_IMAP,
        MOZ_STATUS,
        MOZ_STATUS2,
        MOZ_KEYS,
        CONTENT_LENGTH,
        DATE,
        RETURN_PATH;

        /** Whether such a header may be folded over several lines (so its continuation goes too). */
        boolean foldable() {
            return this == X_KEYWORDS || this == MOZ_KEYS;
        }

        /** Whether the line says flags only (no ids), so that it can be rewritten in place. */
        boolean statusLine() {
            return this == STATUS
                    || this == X_STATUS
                    || this == X_KEYWORDS
                    || this == MOZ_STATUS
                    || this == MOZ_STATUS2
                    || this == MOZ_KEYS;
        }

        /** Whether the header carries flags (and is always taken out). */
        boolean flagHeader() {
            return this != CONTENT_LENGTH && this != DATE && this != RETURN_PATH;
        }
    }

    /** The kind of a header by its name (without the colon), or null for any other header. */
    static @Nullable Kind kindOf(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "status":
                return Kind.STATUS;
            case "x-status":
                return Kind.X_STATUS;
            case "x-keywords":
                return Kind.X_KEYWORDS;
            case "x-uid":
                return Kind.X_UID;
            case "x-imapbase":
                return Kind.X_IMAPBASE;
            case "x-imap":
                return Kind.X_IMAP;
            case "x-mozilla-status":
                return Kind.MOZ_STATUS;
            case "x-mozilla-status2":
                return Kind.MOZ_STATUS2;
            case "x-mozilla-keys":
                return Kind.MOZ_KEYS;
            case "content-length":
                return Kind.CONTENT_LENGTH;
            case "date":
                return Kind.DATE;
            case "return-path":
                return Kind.RETURN_PATH;
            default:
                return null;
        }
    }

    // ---- our own block: how a message we wrote is told from one that carries such headers itself

    /**
     * The block of lines this store writes right after a {@code From} line, in this order and in
     * no other: {@code [X-IMAPbase] X-Keywords Status [X-Status] [Content-Length] X-UID}, or in the
     * Thunderbird layout {@code [X-IMAPbase] X-Mozilla-Keys X-Mozilla-Status X-Mozilla-Status2
     * [X-Status] [Content-Length] X-UID}; each one line, with values of the exact shape we write.
     * No other writer starts a message so (Dovecot, c-client and mutt put their lines at the end of
     * the header block, Status before X-Keywords; Thunderbird writes no X-UID), and no marker of
     * our own is needed: Dovecot hides exactly these names when it serves a message, so a marker
     * would become part of every message it serves. {@link #nextBlockState} walks the grammar one
     * line at a time.
     */
    static final int BLOCK_START = 0;

    static final int BLOCK_DONE = 100;
    static final int BLOCK_FAILED = -1;
    private static final int AFTER_BASE = 1;
    private static final int AFTER_KEYWORDS = 2;
    private static final int AFTER_STATUS = 3;
    private static final int AFTER_X_STATUS = 4;
    private static final int AFTER_MOZ_KEYS = 5;
    private static final int AFTER_MOZ_STATUS = 6;
    private static final int AFTER_MOZ_STATUS2 = 7;
    private static final int AFTER_CONTENT_LENGTH = 8;

    private static final Pattern IMAPBASE = Pattern.compile("X-IMAPbase: \\d+ \\d+( [^\\x00-\\x1f]*)?");
    private static final Pattern KEYWORDS = Pattern.compile("X-Keywords:( [^\\x00-\\x1f]*)?");
    private static final Pattern MOZ_KEYS = Pattern.compile("X-Mozilla-Keys:( [^\\x00-\\x1f]*)?");
    private static final Pattern STATUS_LINE = Pattern.compile("Status: ?[RO]*[ \\t]*");
    private static final Pattern X_STATUS_LINE = Pattern.compile("X-Status: ?[AFTD]*[ \\t]*");
    private static final Pattern MOZ_STATUS_LINE = Pattern.compile("X-Mozilla-Status: [0-9a-fA-F]{4}[ \\t]*");
    private static final Pattern MOZ_STATUS2_LINE = Pattern.compile("X-Mozilla-Status2: [0-9a-fA-F]{8}[ \\t]*");
    private static final Pattern CONTENT_LENGTH_LINE = Pattern.compile("Content-Length: \\d{1,18}[ \\t]*");
    private static final Pattern X_UID_LINE = Pattern.compile("X-UID: \\d{1,18}[ \\t]*");

    /**
     * The state after one more line of a message's header (its text without line end), starting
     * from {@link #BLOCK_START}: {@link #BLOCK_DONE} once the line completes our block, {@link
     * #BLOCK_FAILED} when the message does not start with it.
     */
    @SuppressWarnings("fallthrough") // each optional line falls through to what may follow it
    static int nextBlockState(int state, String line) {
        switch (state) {
            case BLOCK_START:
                if (IMAPBASE.matcher(line).matches()) {
                    return AFTER_BASE;
                }
                // fall through: the X-IMAPbase line is optional
            case AFTER_BASE:
                if (KEYWORDS.matcher(line).matches()) {
                    return AFTER_KEYWORDS;
                }
                return MOZ_KEYS.matcher(line).matches() ? AFTER_MOZ_KEYS : BLOCK_FAILED;
            case AFTER_KEYWORDS:
                return STATUS_LINE.matcher(line).matches() ? AFTER_STATUS : BLOCK_FAILED;
            case AFTER_MOZ_KEYS:
                return MOZ_STATUS_LINE.matcher(line).matches() ? AFTER_MOZ_STATUS : BLOCK_FAILED;
            case AFTER_MOZ_STATUS:
                return MOZ_STATUS2_LINE.matcher(line).matches() ? AFTER_MOZ_STATUS2 : BLOCK_FAILED;
            case AFTER_STATUS:
            case AFTER_MOZ_STATUS2:
                if (X_STATUS_LINE.matcher(line).matches()) {
                    return AFTER_X_STATUS;
                }
                // fall through: X-Status is optional
            case AFTER_X_STATUS:
                if (CONTENT_LENGTH_LINE.matcher(line).matches()) {
                    return AFTER_CONTENT_LENGTH;
                }
                // fall through: Content-Length is optional
            case AFTER_CONTENT_LENGTH:
                return X_UID_LINE.matcher(line).matches() ? BLOCK_DONE : BLOCK_FAILED;
            default:
                return BLOCK_FAILED;
        }
    }

    private final EnumSet<Flag> system = EnumSet.noneOf(Flag.class);
    private final Set<String> keywords = new TreeSet<>();
    private int mozStatus = -1;
    private int mozStatus2 = -1;
    private final Set<String> badKeywords = new TreeSet<>();

    /** Takes in one flag header's value (unfolded). */
    void add(Kind kind, String value) {
        String v = value.trim();
        switch (kind) {
            case STATUS -> {
                if (v.indexOf('R') >= 0) {
                    system.add(Flag.SEEN);
                }
            }
            case X_STATUS -> {
                if (v.indexOf('A') >= 0) {
                    system.add(Flag.ANSWERED);
                }
                if (v.indexOf('F') >= 0) {
                    system.add(Flag.FLAGGED);
                }
                if (v.indexOf('D') >= 0) {
                    system.add(Flag.DELETED);
                }
                if (v.indexOf('T') >= 0) {
                    system.add(Flag.DRAFT);
                }
            }
            case X_KEYWORDS, MOZ_KEYS -> {
                // Dovecot separates with spaces, some writers with commas.
                for (String word : v.split("[ \t,]+")) {
                    if (word.isEmpty()) {
                        continue;
                    }
                    if (Flags.isValidKeyword(word)) {
                        keywords.add(word);
                    } else {
                        badKeywords.add(word);
                    }
                }
            }
            case MOZ_STATUS -> mozStatus = parseHex(v);
            case MOZ_STATUS2 -> mozStatus2 = parseHex(v);
            default -> {}
        }
    }

    private static int parseHex(String v) {
        try {
            return (int) Long.parseLong(v, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether Thunderbird marked the message expunged (deleted, folder not yet compacted). */
    boolean thunderbirdExpunged() {
        return mozStatus >= 0 && (mozStatus & MOZ_EXPUNGED) != 0;
    }

    /** Keywords that are not IMAP atoms and were dropped. */
    Set<String> badKeywords() {
        return badKeywords;
    }

    Flags flags() {
        EnumSet<Flag> all = EnumSet.copyOf(system.isEmpty() ? EnumSet.noneOf(Flag.class) : system);
        Set<String> words = new TreeSet<>(keywords);
        if (mozStatus >= 0) {
            if ((mozStatus & MOZ_READ) != 0) {
                all.add(Flag.SEEN);
            }
            if ((mozStatus & MOZ_REPLIED) != 0) {
                all.add(Flag.ANSWERED);
            }
            if ((mozStatus & MOZ_MARKED) != 0) {
                all.add(Flag.FLAGGED);
            }
            if ((mozStatus & MOZ_FORWARDED) != 0) {
                words.add(FORWARDED);
            }
        }
        if (mozStatus2 >= 0 && (mozStatus2 & MOZ2_IMAP_DELETED) != 0) {
            all.add(Flag.DELETED);
        }
        return Flags.of(all, words);
    }

    /** Spaces after the keywords, so that later flag changes fit in place (Dovecot pads alike). */
    static final int PADDING = 60;

    /**
     * The flag header lines (without line ends) that represent {@code flags}, in the order they are
     * written: the keyword line first (always there, padded with {@code padding} spaces, so that a
     * flag change can overwrite these lines in place), as it is the only one that may be folded: a
     * message starting with white space (which reads as a continuation) can then only attach to a
     * header that never is.
     */
    static List<String> linesFor(Flags flags, boolean thunderbird, int padding) {
        List<String> lines = new ArrayList<>();
        String keywordText = String.join(" ", flags.keywords());
        String pad = " ".repeat(padding);
        if (thunderbird) {
            lines.add("X-Mozilla-Keys: " + keywordText + pad);
            int status = 0;
            status |= flags.contains(Flag.SEEN) ? MOZ_READ : 0;
            status |= flags.contains(Flag.ANSWERED) ? MOZ_REPLIED : 0;
            status |= flags.contains(Flag.FLAGGED) ? MOZ_MARKED : 0;
            status |= flags.containsKeyword(FORWARDED) ? MOZ_FORWARDED : 0;
            lines.add(String.format(Locale.ROOT, "X-Mozilla-Status: %04x", status));
            lines.add(String.format(
                    Locale.ROOT, "X-Mozilla-Status2: %08x", flags.contains(Flag.DELETED) ? MOZ2_IMAP_DELETED : 0));
            if (flags.contains(Flag.DRAFT)) {
                // Thunderbird has no draft bit; keep it where c-client would.
                lines.add("X-Status: T");
            }
            return lines;
        }
        lines.add("X-Keywords: " + keywordText + pad);
        lines.add(flags.contains(Flag.SEEN) ? "Status: RO" : "Status: O");
        StringBuilder x = new StringBuilder();
        x.append(flags.contains(Flag.ANSWERED) ? "A" : "");
        x.append(flags.contains(Flag.FLAGGED) ? "F" : "");
        x.append(flags.contains(Flag.DRAFT) ? "T" : "");
        x.append(flags.contains(Flag.DELETED) ? "D" : "");
        // Always there, even empty: Dovecot then changes it in place instead of adding one at the
        // end of the header, where it would no longer be part of our block.
        lines.add("X-Status: " + x);
        return lines;
    }
}
