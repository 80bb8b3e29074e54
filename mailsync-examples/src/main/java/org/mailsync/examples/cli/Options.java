package org.mailsync.examples.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed command line: positional arguments, {@code --flag}s, and {@code --name value} (or
 * {@code --name=value}) options, some of which may repeat. Written here rather than taken from a
 * library: a few dozen lines do what the tool needs, and the jar stays small.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class Options {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Set<String> flags;
    private final Set<String> valued;
    private final Set<String> repeatable;

    private Options(Set<String> flags, Set<String> valued, Set<String> repeatable) {
        this.flags = flags;
        this.valued = valued;
        this.repeatable = repeatable;
    }

    /**
     * Parses {@code args} knowing which options take no value, which take one, and which of those
     * may be given more than once.
     *
     * @throws UsageException for an unknown option, a missing value, or a repeated one
     */
    static Options parse(List<String> args, Set<String> flags, Set<String> valued, Set<String> repeatable) {
        Options o = new Options(flags, valued, repeatable);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.equals("--")) {
                o.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                o.add(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                o.add(name, value);
            } else if (name.contains("password") && !name.endsWith("-file") && !name.endsWith("-env")) {
                // Never take a password on the command line: it would show in ps and shell history.
                throw new UsageException("--" + name + ": passwords are not taken on the command line;"
                        + " use --source-password-file, --source-password-env (or the target's) or the prompt");
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return o;
    }

    private void add(String name, String value) {
        List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
        if (!list.isEmpty() && !repeatable.contains(name)) {
            throw new UsageException("--" + name + " was given twice");
        }
        list.add(value);
    }

    List<String> positional() {
        return positional;
    }

    boolean flag(String name) {
        assert flags.contains(name) : name;
        return values.containsKey(name);
    }

    Optional<String> value(String name) {
        assert valued.contains(name) : name;
        List<String> list = values.get(name);
        return list == null ? Optional.empty() : Optional.of(list.get(0));
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    Optional<Integer> intValue(String name, int min, int max) {
        return value(name).map(v -> {
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new UsageException("--" + name + " must be " + min + ".." + max + ", not " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " needs a number, not " + v);
            }
        });
    }

    /** A size such as {@code 25M}, {@code 512k}, {@code 1G} or plain bytes (powers of 1024). */
    Optional<Long> size(String name) {
        return value(name).map(v -> parseSize(name, v));
    }

    static long parseSize(String name, String v) {
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
        try {
            double n = Double.parseDouble(s);
            if (n <= 0) {
                throw new UsageException("--" + name + " must be positive, not " + v);
            }
            return (long) (n * unit);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a size such as 25M, 512k or 1G, not " + v);
        }
    }

    /** A date {@code 2024-01-31} (start of that day, UTC) or an instant {@code 2024-01-31T12:00:00Z}. */
    Optional<Instant> date(String name) {
        return value(name).map(v -> {
            try {
                if (v.contains("T")) {
                    return Instant.parse(v);
                }
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw new UsageException("--" + name + " needs a date such as 2024-01-31, not " + v);
            }
        });
    }
}
