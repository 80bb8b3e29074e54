package org.mailsync.examples.cli;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailsync.FolderPath;
import org.mailsync.IdentityStrategies;
import org.mailsync.IdentityStrategy;
import org.mailsync.MessageOrder;
import picocli.CommandLine.ITypeConverter;

/**
 * How the values of options are written on the command line, as picocli converters: sizes,
 * durations, dates, folders, stores. A converter that refuses a value throws an {@link
 * OptionValueException}, whose message {@link Mailsync} puts after the option's name; messages
 * never repeat a value that may be a secret.
 *
 * <p>Thread-safe (stateless).
 */
final class OptionTypes {
    private OptionTypes() {}

    /**
     * A value an option cannot take. The message says what is wrong without the option's name
     * ("needs a number, not x"), or starts with ": " to follow it directly.
     */
    static final class OptionValueException extends UsageException {
        private static final long serialVersionUID = 1L;

        OptionValueException(String message) {
            super(message);
        }
    }

    /** A size such as {@code 25M}, {@code 512k}, {@code 1G} or plain bytes (powers of 1024). */
    static long parseSize(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1); // "25MB" as "25M"
        }
        long unit = 1;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        switch (last) {
            case 'K' -> unit = 1L << 10;
            case 'M' -> unit = 1L << 20;
            case 'G' -> unit = 1L << 30;
            default -> {}
        }
        if (unit > 1) {
            s = s.substring(0, s.length() - 1);
        }
        double n;
        try {
            n = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new OptionValueException("needs a size such as 25M, 512k or 1G, not " + v);
        }
        if (!(n > 0)) {
            throw new OptionValueException("must be positive, not " + v);
        }
        return (long) (n * unit);
    }

    /** A duration as people type it: {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}. */
    static Duration parseDuration(String value) {
        Matcher m = Pattern.compile("([0-9]{1,9})([smhd])").matcher(value.trim());
        if (!m.matches()) {
            throw new OptionValueException("needs a duration such as 90s, 10m, 2h or 1d, not " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** A folder as the user writes it: segments separated by {@code /}. */
    static FolderPath folder(String text) {
        try {
            return FolderPath.parse(text, '/');
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad folder name " + text + ": " + e.getMessage());
        }
    }

    /** Checks that an option's number lies in {@code min..max}. */
    static int inRange(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UsageException("--" + option + " must be " + min + ".." + max + ", not " + value);
        }
        return value;
    }

    /** {@code 25M}, {@code 512k}, {@code 1G} or bytes. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseSize(value);
        }
    }

    /** {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}. */
    static final class Span implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    /** A date {@code 2024-01-31} (start of that day, UTC) or an instant {@code 2024-01-31T12:00:00Z}. */
    static Instant parseDate(String v) {
        try {
            if (v.contains("T")) {
                return Instant.parse(v);
            }
            return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new OptionValueException("needs a date such as 2024-01-31, not " + v);
        }
    }

    /** A whole number; the command checks its range. */
    static int parseCount(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new OptionValueException("needs a number, not " + v);
        }
    }

    /** A number above zero, fractions allowed. */
    static double parseRate(String v) {
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && !Double.isInfinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new OptionValueException("needs a positive number, not " + v);
    }

    /** {@code fastest} or {@code source}, in any case. */
    static MessageOrder parseOrder(String v) {
        for (MessageOrder order : MessageOrder.values()) {
            if (order.name().equalsIgnoreCase(v)) {
                return order;
            }
        }
        throw new OptionValueException("needs fastest or source, not " + v);
    }

    /** A rename rule {@code FROM=TO}, both folders. */
    static Rename parseRename(String rule) {
        int eq = rule.indexOf('=');
        if (eq <= 0 || eq == rule.length() - 1) {
            throw new OptionValueException("needs FROM=TO, not " + rule);
        }
        return new Rename(folder(rule.substring(0, eq)), folder(rule.substring(eq + 1)));
    }

    /** {@code header} or {@code content}. */
    static IdentityStrategy parseIdentity(String value) {
        return switch (value) {
            case "header" -> IdentityStrategies.headerFingerprint();
            case "content" -> IdentityStrategies.contentHash();
            default -> throw new OptionValueException("must be header or content");
        };
    }

    /**
     * A file name. Refused without repeating it: a file name that cannot be one may be a password
     * typed where the name belongs.
     */
    static Path parseFileName(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new OptionValueException("is not a file name this system can use");
        }
    }

    /** A date {@code 2024-01-31} (start of that day, UTC) or an instant {@code 2024-01-31T12:00:00Z}. */
    static final class Date implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String v) {
            return parseDate(v);
        }
    }

    /** A whole number; the command checks its range. */
    static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return parseCount(v);
        }
    }

    /** A number above zero, fractions allowed. */
    static final class Rate implements ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            return parseRate(v);
        }
    }

    /** {@code --message-order}: {@code fastest} or {@code source}, in any case. */
    static final class Order implements ITypeConverter<MessageOrder> {
        @Override
        public MessageOrder convert(String v) {
            return parseOrder(v);
        }
    }

    /** A folder, segments separated by {@code /}. */
    static final class Folder implements ITypeConverter<FolderPath> {
        @Override
        public FolderPath convert(String value) {
            return folder(value);
        }
    }

    /** A rename rule {@code FROM=TO}. Immutable. */
    record Rename(FolderPath from, FolderPath to) {}

    /** {@code FROM=TO}, both folders. */
    static final class RenameRule implements ITypeConverter<Rename> {
        @Override
        public Rename convert(String rule) {
            return parseRename(rule);
        }
    }

    /** {@code header} or {@code content}. */
    static final class Identity implements ITypeConverter<IdentityStrategy> {
        @Override
        public IdentityStrategy convert(String value) {
            return parseIdentity(value);
        }
    }

    /** What shell completion offers for {@code --identity}. */
    static final class IdentityNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("header", "content").iterator();
        }
    }

    /** A store as a positional argument; {@link StoreSpec#parse} never repeats the text. */
    static final class Store implements ITypeConverter<StoreSpec> {
        @Override
        public StoreSpec convert(String value) {
            return StoreSpec.parse(value);
        }
    }

    /** An IMAP server without a user ({@code batch --source/--target}); imaps unless it says otherwise. */
    static final class Server implements ITypeConverter<StoreSpec> {
        @Override
        public StoreSpec convert(String value) {
            try {
                return StoreSpec.server(value, "imaps");
            } catch (UsageException e) {
                throw new OptionValueException(": " + e.getMessage());
            }
        }
    }

    /** A charset by name. */
    static final class CharsetName implements ITypeConverter<Charset> {
        @Override
        public Charset convert(String value) {
            try {
                return Charset.forName(value);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                throw new UsageException("unknown charset " + value);
            }
        }
    }

    /**
     * A file name. Refused without repeating it: a file name that cannot be one may be a password
     * typed where the name belongs.
     */
    static final class FileName implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            return parseFileName(value);
        }
    }
}
