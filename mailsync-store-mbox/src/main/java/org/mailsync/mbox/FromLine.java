package org.mailsync.mbox;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.MailDates;

/**
 * The {@code From } line that starts each message: {@code From sender asctime-date}, where the date
 * is {@code Www Mmm dd hh:mm:ss yyyy}, sometimes with a zone before or after the year. A date with
 * no zone is UTC (the writer always writes UTC, so nothing is ambiguous in our own files).
 *
 * <p>Thread-safe (stateless).
 */
final class FromLine {
    static final byte[] PREFIX = "From ".getBytes(StandardCharsets.US_ASCII);
    static final String MAILER_DAEMON = "MAILER-DAEMON";

    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private FromLine() {}

    /** The parsed parts of a From line. */
    record Parsed(String sender, @Nullable Instant date) {}

    /** Parses a From line's text (without the line end); the date is null if none can be read. */
    static Parsed parse(String line) {
        String rest = line.startsWith("From ") ? line.substring(5) : line;
        String[] tokens = rest.trim().split("[ \t]+");
        String sender = tokens.length > 0 && !tokens[0].isEmpty() ? tokens[0] : MAILER_DAEMON;
        // The sender may itself contain spaces (quoted local parts): find the date by its month.
        for (int i = 1; i < tokens.length; i++) {
            int month = MONTHS.indexOf(tokens[i].toLowerCase(Locale.ROOT));
            if (month < 0) {
                continue;
            }
            Instant date = parseDate(tokens, i, month + 1);
            if (date != null) {
                return new Parsed(sender, date);
            }
        }
        return new Parsed(sender, null);
    }

    private static @Nullable Instant parseDate(String[] tokens, int monthIndex, int month) {
        if (monthIndex + 3 >= tokens.length) {
            return null;
        }
        try {
            int day = Integer.parseInt(tokens[monthIndex + 1]);
            String[] time = tokens[monthIndex + 2].split(":");
            if (time.length < 2 || time.length > 3) {
                return null;
            }
            int hour = Integer.parseInt(time[0]);
            int minute = Integer.parseInt(time[1]);
            int second = time.length == 3 ? Integer.parseInt(time[2]) : 0;
            Integer year = null;
            ZoneOffset zone = ZoneOffset.UTC;
            for (int i = monthIndex + 3; i < tokens.length && i <= monthIndex + 5; i++) {
                String t = tokens[i];
                if (year == null && t.matches("\\d{4}")) {
                    year = Integer.parseInt(t);
                } else if (t.matches("[+-]\\d{4}")) {
                    zone = ZoneOffset.ofHoursMinutes(
                            Integer.parseInt(t.substring(0, 3)), Integer.parseInt(t.charAt(0) + t.substring(3)));
                }
            }
            if (year == null) {
                return null;
            }
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(zone);
        } catch (NumberFormatException | DateTimeException e) {
            return null;
        }
    }

    /** Formats a From line (without line end): the sender and the date in UTC asctime form. */
    static String format(String sender, Instant date) {
        return "From " + sender + " "
                + ASCTIME.format(date.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC));
    }

    /**
     * The envelope sender for a message: its {@code Return-Path} address when it has a usable one,
     * else {@code MAILER-DAEMON}.
     */
    static String senderOf(@Nullable String returnPath) {
        if (returnPath == null) {
            return MAILER_DAEMON;
        }
        String address = returnPath.trim();
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1).trim();
        }
        if (address.isEmpty() || !address.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return MAILER_DAEMON;
        }
        return address;
    }

    /**
     * Parses an RFC 5322 {@code Date:} value, for a From line without a usable date, as lenient
     * mail readers do (a wrong weekday, obsolete zones and two-digit years are common in real mail).
     */
    static Optional<MailDates.Parsed> parseDateHeader(String value) {
        return MailDates.parseDetailed(value);
    }
}
