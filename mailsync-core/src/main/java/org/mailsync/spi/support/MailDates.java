package org.mailsync.spi.support;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads the date of a {@code Date:} header (RFC 5322 section 3.3 and the obsolete forms of section
 * 4.3) as lenient mail readers do, because real mail is sloppy: the weekday is ignored (even when
 * it does not match the date), comments and extra white space are dropped, seconds may be missing,
 * two- and three-digit years are read as section 4.3 says, the obsolete zones {@code UT}, {@code
 * GMT}, {@code EST}/{@code EDT}, {@code CST}/{@code CDT}, {@code MST}/{@code MDT}, {@code
 * PST}/{@code PDT} are known, and military single letters count as {@code -0000} (UTC; RFC 5322
 * says their sign cannot be trusted). The asctime order ({@code Mon Jan  2 03:04:05 2006}) is read
 * too. A date with no zone, or a zone name nobody agrees on ({@code CEST}, {@code MET}), is read as
 * UTC, and {@link Parsed#zoneAssumed()} says so.
 *
 * <p>Never throws on any input: what cannot be read gives an empty result.
 *
 * <p>Thread-safe (stateless).
 */
public final class MailDates {
    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> WEEKDAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    private static final Map<String, Integer> ZONES = Map.ofEntries(
            Map.entry("UT", 0),
            Map.entry("UTC", 0),
            Map.entry("GMT", 0),
            Map.entry("Z", 0),
            Map.entry("EST", -5 * 60),
            Map.entry("EDT", -4 * 60),
            Map.entry("CST", -6 * 60),
            Map.entry("CDT", -5 * 60),
            Map.entry("MST", -7 * 60),
            Map.entry("MDT", -6 * 60),
            Map.entry("PST", -8 * 60),
            Map.entry("PDT", -7 * 60));
    /** Longest input looked at: a Date header is short, and a bound keeps a hostile one cheap. */
    private static final int MAX_LENGTH = 1000;

    private MailDates() {}

    /**
     * A date read from a header.
     *
     * @param instant the moment
     * @param zoneAssumed true when the value had no zone (or one that is not a known name), so that
     *     the moment was read as UTC
     *     <p>Immutable.
     */
    public record Parsed(Instant instant, boolean zoneAssumed) {}

    /** The moment a {@code Date:} value names, or empty if it names none that can be read. */
    public static Optional<Instant> parse(CharSequence value) {
        return parseDetailed(value).map(Parsed::instant);
    }

    /** As {@link #parse}, also saying whether the zone was missing and UTC assumed. */
    public static Optional<Parsed> parseDetailed(CharSequence value) {
        if (value.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(read(tokens(stripComments(value))));
        } catch (DateTimeException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** The value without comments (nested, with quoted pairs), each replaced by a space. */
    private static String stripComments(CharSequence value) {
        StringBuilder out = new StringBuilder(value.length());
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (depth > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth == 0) {
                        out.append(' ');
                    }
                }
            } else if (c == '(') {
                depth++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Splits at white space and commas; a time split around its colons ({@code 10 : 20}, allowed
     * by the obsolete syntax) is joined again.
     */
    private static List<String> tokens(String text) {
        String joined = text.replaceAll("[ \t\r\n]*:[ \t\r\n]*", ":");
        List<String> out = new ArrayList<>();
        for (String t : joined.split("[ \t\r\n,]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static @Nullable Parsed read(List<String> tokens) {
        int day = -1;
        int month = -1;
        int year = -1;
        int yearDigits = 0;
        int @Nullable [] time = null;
        Integer offsetMinutes = null;
        for (String raw : tokens) {
            String t = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
            if (t.isEmpty()) {
                continue;
            }
            String lower = t.toLowerCase(Locale.ROOT);
            if (time == null && t.indexOf(':') > 0 && Character.isDigit(t.charAt(0))) {
                time = time(t);
                if (time == null) {
                    return null;
                }
                continue;
            }
            if (isDigits(t)) {
                // "12 Jan 2004", "12 Jan 04", asctime's "Jan 12 10:00:00 2004": the first short
                // number is the day, the next the year.
                if (day < 0 && t.length() <= 2) {
                    day = Integer.parseInt(t);
                } else if (year < 0 && t.length() <= 4) {
                    year = Integer.parseInt(t);
                    yearDigits = t.length();
                } else {
                    return null;
                }
                continue;
            }
            if (month < 0 && lower.length() >= 3 && isLetters(lower) && MONTHS.contains(lower.substring(0, 3))) {
                month = MONTHS.indexOf(lower.substring(0, 3)) + 1;
                continue;
            }
            if (time == null) {
                if (month < 0 && day < 0 && isLetters(lower) && isWeekday(lower)) {
                    continue; // the weekday: ignored, even when it does not match the date
                }
                return null; // a word where none belongs
            }
            // After the time: the zone; anything else (a zone name after a numeric offset) is
            // ignored, but a numeric offset after an unknown name still counts.
            if (offsetMinutes == null) {
                offsetMinutes = zone(t);
            }
        }
        if (day < 1 || month < 1 || year < 0 || time == null) {
            return null;
        }
        int fullYear = year;
        if (yearDigits <= 2) {
            fullYear = year < 50 ? 2000 + year : 1900 + year; // RFC 5322 4.3
        } else if (yearDigits == 3) {
            fullYear = 1900 + year; // RFC 5322 4.3
        }
        int second = Math.min(time[2], 59); // a leap second is the one before it
        LocalDateTime local = LocalDateTime.of(fullYear, month, day, time[0], time[1], second);
        boolean assumed = offsetMinutes == null;
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes == null ? 0 : offsetMinutes * 60);
        return new Parsed(local.toInstant(offset), assumed);
    }

    /** hh:mm[:ss[.fraction]], or null. */
    private static int @Nullable [] time(String t) {
        String[] parts = t.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            return null;
        }
        String secondPart = parts.length == 3 ? parts[2] : "0";
        int dot = secondPart.indexOf('.');
        if (dot >= 0) {
            String fraction = secondPart.substring(dot + 1);
            if (!fraction.isEmpty() && !isDigits(fraction)) {
                return null;
            }
            secondPart = secondPart.substring(0, dot);
        }
        for (String p : new String[] {parts[0], parts[1], secondPart}) {
            if (p.isEmpty() || p.length() > 2 || !isDigits(p)) {
                return null;
            }
        }
        int hour = Integer.parseInt(parts[0]);
        int minute = Integer.parseInt(parts[1]);
        int second = Integer.parseInt(secondPart);
        if (hour > 23 || minute > 59 || second > 60) {
            return null;
        }
        return new int[] {hour, minute, second};
    }

    /** The zone's offset in minutes, or null when it is unknown (read as UTC). */
    private static @Nullable Integer zone(String t) {
        String upper = t.toUpperCase(Locale.ROOT);
        int sign = upper.charAt(0) == '+' ? 1 : upper.charAt(0) == '-' ? -1 : 0;
        if (sign == 0 && (upper.startsWith("GMT") || upper.startsWith("UTC")) && upper.length() > 3) {
            // GMT+0100, UTC-05:00: the offset after the name counts.
            return zone(upper.substring(3));
        }
        if (sign != 0) {
            String digits = upper.substring(1).replace(":", "");
            if (!isDigits(digits) || (digits.length() != 4 && digits.length() > 2) || digits.isEmpty()) {
                return null;
            }
            int hours = digits.length() == 4 ? Integer.parseInt(digits.substring(0, 2)) : Integer.parseInt(digits);
            int minutes = digits.length() == 4 ? Integer.parseInt(digits.substring(2)) : 0;
            if (hours > 18 || minutes > 59) {
                return null;
            }
            return sign * (hours * 60 + minutes);
        }
        Integer known = ZONES.get(upper);
        if (known != null) {
            return known;
        }
        if (upper.length() == 1 && upper.charAt(0) >= 'A' && upper.charAt(0) <= 'Z' && upper.charAt(0) != 'J') {
            return 0; // military zones: RFC 5322 4.3 says to read them as -0000
        }
        return null;
    }

    private static boolean isWeekday(String lower) {
        for (String w : WEEKDAYS) {
            if (lower.startsWith(w) || (lower.length() == 2 && w.startsWith(lower))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 'a' || c > 'z') {
                return false;
            }
        }
        return true;
    }
}
