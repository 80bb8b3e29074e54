package org.mailsync.examples.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A plain {@code mailsync migrate SOURCE TARGET [options]} read without picocli (issue 15): the
 * common run of the tool, a pass from cron or by hand, starts without picocli building the
 * command's model from its annotations by reflection, which took about as long as the no-op pass
 * itself (picocli's classes are Java 5 bytecode, which the class-data sharing archive cannot hold,
 * so they are read, verified and interpreted at every start).
 *
 * <p>It takes only a line it reads exactly as picocli does, and fills the same {@link
 * MigrateCommand} picocli would, with the same conversions ({@link OptionTypes}' parse methods,
 * which picocli's converters call). Anything else it declines, and picocli reads the line as
 * before, so that every message and exit code is picocli's path's: help, {@code @files}, {@code
 * --}, an unknown or repeated option, a missing or option-like value, an empty argument, a value
 * a conversion refuses, a wrong number of arguments, picocli's own system properties. {@code
 * MigrateFastPathTest} holds the two to the same result over many lines, and this table to
 * picocli's model of the command.
 *
 * <p>Thread-safe (stateless).
 */
final class MigrateFastPath {
    private MigrateFastPath() {}

    /** How an option takes values, as picocli's model of {@code migrate} says. */
    enum Arity {
        /** No value (a boolean), at most once. */
        FLAG,
        /** One value, at most once. */
        ONE,
        /** One value per occurrence, repeatable (a list). */
        REPEATABLE
    }

    /** Every option of {@code migrate} but {@code -h/--help} (which picocli answers). */
    static final Map<String, Arity> OPTIONS = Map.ofEntries(
            Map.entry("--dry-run", Arity.FLAG),
            Map.entry("--identity", Arity.ONE),
            Map.entry("--mirror-deletes", Arity.FLAG),
            Map.entry("--pop3-delete-after-copy", Arity.FLAG),
            Map.entry("--copy-subscriptions", Arity.FLAG),
            Map.entry("--parallelism", Arity.ONE),
            Map.entry("--max-bytes-per-second", Arity.ONE),
            Map.entry("--max-messages-per-second", Arity.ONE),
            Map.entry("--new-mail-only", Arity.FLAG),
            Map.entry("--message-order", Arity.ONE),
            Map.entry("--write-source-ids", Arity.FLAG),
            Map.entry("--wait-for-lock", Arity.ONE),
            Map.entry("--folder-deadline", Arity.ONE),
            Map.entry("--account-deadline", Arity.ONE),
            Map.entry("--include", Arity.REPEATABLE),
            Map.entry("--exclude", Arity.REPEATABLE),
            Map.entry("--rename", Arity.REPEATABLE),
            Map.entry("--no-automap", Arity.FLAG),
            Map.entry("--under", Arity.ONE),
            Map.entry("--max-size", Arity.ONE),
            Map.entry("--since", Arity.ONE),
            Map.entry("--before", Arity.ONE),
            Map.entry("--checkpoints", Arity.ONE),
            Map.entry("--source-password-file", Arity.ONE),
            Map.entry("--source-password-env", Arity.ONE),
            Map.entry("--source-oauth2-token-file", Arity.ONE),
            Map.entry("--target-password-file", Arity.ONE),
            Map.entry("--target-password-env", Arity.ONE),
            Map.entry("--target-oauth2-token-file", Arity.ONE),
            Map.entry("--source-trust-sha256", Arity.REPEATABLE),
            Map.entry("--target-trust-sha256", Arity.REPEATABLE),
            Map.entry("--preset", Arity.ONE),
            Map.entry("--target-preset", Arity.ONE));

    /**
     * The command {@code args} ({@code migrate} first) make, filled as picocli would fill it; null
     * when the line is not one this reads exactly as picocli does: picocli then reads it.
     */
    static @Nullable MigrateCommand parse(List<String> args) {
        if (args.isEmpty() || !args.get(0).equals("migrate") || picocliConfigured()) {
            return null;
        }
        MigrateCommand command = new MigrateCommand();
        Set<String> given = new HashSet<>();
        List<String> positionals = new ArrayList<>(2);
        try {
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.isEmpty() || arg.startsWith("@")) {
                    return null; // an @file to expand, or an empty word: picocli's
                }
                if (!arg.startsWith("-")) {
                    positionals.add(arg);
                    continue;
                }
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                @Nullable String value = eq < 0 ? null : arg.substring(eq + 1);
                Arity arity = OPTIONS.get(name);
                if (arity == null) {
                    return null; // help, --, an option we do not know (or a mistyped one)
                }
                if (arity == Arity.FLAG) {
                    if (value != null) {
                        return null;
                    }
                } else if (value == null) {
                    if (i + 1 == args.size()) {
                        return null;
                    }
                    value = args.get(++i);
                }
                if (arity != Arity.REPEATABLE && !given.add(name)) {
                    return null; // picocli: given twice
                }
                if (value != null && (value.isEmpty() || value.startsWith("-") || value.startsWith("@"))) {
                    return null; // picocli may take it for an option, or expand it
                }
                set(command, name, value);
            }
            if (positionals.size() != 2) {
                return null;
            }
            command.source = StoreSpec.parse(positionals.get(0));
            command.target = StoreSpec.parse(positionals.get(1));
        } catch (RuntimeException e) {
            // A value a conversion refuses: picocli reads the line again and says so in its way.
            return null;
        }
        return command;
    }

    /** Whether a system property of picocli's own (tracing, quotes, @files ...) may change how it reads. */
    private static boolean picocliConfigured() {
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("picocli.")) {
                return true;
            }
        }
        return false;
    }

    /** One option's value into the field picocli fills, converted as its converter does. */
    private static void set(MigrateCommand c, String name, @Nullable String value) {
        String v = value == null ? "" : value;
        switch (name) {
            case "--dry-run" -> c.run.dryRun = true;
            case "--identity" -> c.run.identity = OptionTypes.parseIdentity(v);
            case "--mirror-deletes" -> c.run.mirrorDeletes = true;
            case "--pop3-delete-after-copy" -> c.run.pop3DeleteAfterCopy = true;
            case "--copy-subscriptions" -> c.run.copySubscriptions = true;
            case "--parallelism" -> c.run.parallelism = OptionTypes.parseCount(v);
            case "--max-bytes-per-second" -> c.run.bytesPerSecond = OptionTypes.parseSize(v);
            case "--max-messages-per-second" -> c.run.messagesPerSecond = OptionTypes.parseRate(v);
            case "--new-mail-only" -> c.run.newMailOnly = true;
            case "--message-order" -> c.run.messageOrder = OptionTypes.parseOrder(v);
            case "--write-source-ids" -> c.run.writeSourceIds = true;
            case "--wait-for-lock" -> c.run.waitForLock = OptionTypes.parseDuration(v);
            case "--folder-deadline" -> c.run.folderDeadline = OptionTypes.parseDuration(v);
            case "--account-deadline" -> c.run.accountDeadline = OptionTypes.parseDuration(v);
            case "--include" -> c.mapping.include.add(v);
            case "--exclude" -> c.mapping.exclude.add(v);
            case "--rename" -> c.mapping.rename.add(OptionTypes.parseRename(v));
            case "--no-automap" -> c.mapping.noAutomap = true;
            case "--under" -> c.mapping.under = OptionTypes.folder(v);
            case "--max-size" -> c.mapping.maxSize = OptionTypes.parseSize(v);
            case "--since" -> c.mapping.since = OptionTypes.parseDate(v);
            case "--before" -> c.mapping.before = OptionTypes.parseDate(v);
            case "--checkpoints" -> c.checkpoints = OptionTypes.parseFileName(v);
            case "--source-password-file" -> c.credentials.sourcePasswordFile = OptionTypes.parseFileName(v);
            case "--source-password-env" -> c.credentials.sourcePasswordEnv = v;
            case "--source-oauth2-token-file" -> c.credentials.sourceTokenFile = OptionTypes.parseFileName(v);
            case "--target-password-file" -> c.credentials.targetPasswordFile = OptionTypes.parseFileName(v);
            case "--target-password-env" -> c.credentials.targetPasswordEnv = v;
            case "--target-oauth2-token-file" -> c.credentials.targetTokenFile = OptionTypes.parseFileName(v);
            case "--source-trust-sha256" -> c.trust.source.add(v);
            case "--target-trust-sha256" -> c.trust.target.add(v);
            case "--preset" -> c.presets.source = PresetOptions.preset(v);
            case "--target-preset" -> c.presets.target = PresetOptions.preset(v);
            default -> throw new IllegalStateException("an option of OPTIONS without its field: " + name);
        }
    }
}
