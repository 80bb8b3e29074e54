package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.IdentityStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * Issue 15: a plain {@code migrate} line read without picocli ({@link MigrateFastPath}) gives the
 * command picocli gives, field for field; every line picocli refuses (or answers with help) the
 * fast path declines, so picocli says what it always said, with the same exit code.
 */
class MigrateFastPathTest {
    @TempDir
    Path home;

    private static final String S = "maildir:/srv/mail/anna";
    private static final String T = "imaps://anna@mail.example.net";

    /** Lines the fast path must take (and picocli reads the same way). */
    private static List<List<String>> accepted() {
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of("migrate", S, T));
        lines.add(List.of(
                "migrate",
                "imap://bench@127.0.0.1:1143",
                "imap://bench@127.0.0.1:1144",
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW",
                "--checkpoints",
                "/tmp/checkpoints"));
        lines.add(List.of("migrate", "--dry-run", S, T));
        lines.add(List.of("migrate", S, "--dry-run", T, "--no-automap"));
        lines.add(List.of(
                "migrate",
                S,
                T,
                "--dry-run",
                "--mirror-deletes",
                "--pop3-delete-after-copy",
                "--copy-subscriptions",
                "--new-mail-only",
                "--write-source-ids",
                "--no-automap"));
        lines.add(List.of("migrate", S, T, "--identity", "content", "--message-order", "SOURCE"));
        lines.add(List.of("migrate", S, T, "--identity=header", "--message-order=fastest"));
        lines.add(List.of("migrate", S, T, "--parallelism", "8", "--max-bytes-per-second", "2M"));
        lines.add(List.of("migrate", S, T, "--parallelism=0", "--max-messages-per-second=0.5"));
        lines.add(List.of("migrate", S, T, "--parallelism", "100", "--max-size", "25MB"));
        lines.add(List.of("migrate", S, T, "--max-size=512k", "--max-bytes-per-second", "1G"));
        lines.add(List.of("migrate", S, T, "--since", "2024-01-31", "--before", "2024-02-01T12:00:00Z"));
        lines.add(List.of("migrate", S, T, "--since=2024-02-01", "--before=2024-01-01"));
        lines.add(List.of("migrate", S, T, "--wait-for-lock", "30s", "--folder-deadline", "10m"));
        lines.add(List.of("migrate", S, T, "--account-deadline=2h", "--wait-for-lock=1d"));
        lines.add(List.of(
                "migrate", S, T, "--include", "Archiv/*", "--include", "Sent", "--exclude", "Trash", "--exclude=Junk"));
        lines.add(List.of("migrate", S, T, "--rename", "Gesendet=Sent", "--rename=Alt/Ordner=Archive/Old"));
        lines.add(List.of("migrate", S, T, "--under", "Import/Old", "--include", "a=b"));
        lines.add(List.of("migrate", S, T, "--include", "Archiv 2020/*", "--checkpoints=a=b"));
        lines.add(List.of(
                "migrate",
                S,
                T,
                "--source-password-file",
                "/run/secrets/s",
                "--target-password-file=/run/secrets/t",
                "--source-password-env",
                "SPW",
                "--target-password-env=TPW"));
        lines.add(List.of(
                "migrate", S, T, "--source-oauth2-token-file", "s.token", "--target-oauth2-token-file=t.token"));
        lines.add(List.of(
                "migrate",
                S,
                T,
                "--source-trust-sha256",
                "AB:CD",
                "--source-trust-sha256=EF",
                "--target-trust-sha256",
                "01"));
        lines.add(List.of("migrate", "imaps://a@imap.gmail.com", T, "--preset", "gmail", "--target-preset=OFFICE365"));
        lines.add(List.of("migrate", "pop3s://anna@pop.example.org", T, "--pop3-delete-after-copy"));
        lines.add(List.of("migrate", "mbox:/srv/anna.mbox", "eml:/srv/out"));
        lines.add(List.of("migrate", "maildir:/srv/a=b", "maildir:relative", "--checkpoints", "c"));
        lines.add(List.of("migrate", "imap+starttls://anna%40example.com@host:143", "maildir:/x"));
        return lines;
    }

    /** Lines the fast path must leave to picocli: wrong ones, help, and what picocli reads in its own way. */
    private static List<List<String>> declined() throws Exception {
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of("migrate"));
        lines.add(List.of("migrate", S));
        lines.add(List.of("migrate", S, T, "maildir:/third"));
        lines.add(List.of("MIGRATE", S, T));
        lines.add(List.of("verify", S, T));
        lines.add(List.of("--help", "migrate"));
        lines.add(List.of("help", "migrate"));
        lines.add(List.of("migrate", "--help"));
        lines.add(List.of("migrate", "-h"));
        lines.add(List.of("migrate", S, T, "--help"));
        lines.add(List.of("migrate", S, T, "-h"));
        lines.add(List.of("migrate", S, T, "--frobnicate"));
        lines.add(List.of("migrate", S, T, "--source-password", "s3cret"));
        lines.add(List.of("migrate", S, T, "--source-password=s3cret"));
        lines.add(List.of("migrate", S, T, "--DRY-RUN"));
        lines.add(List.of("migrate", S, T, "--dry"));
        lines.add(List.of("migrate", S, T, "-dry-run"));
        lines.add(List.of("migrate", S, T, "-"));
        lines.add(List.of("migrate", "--", S, T));
        lines.add(List.of("migrate", S, "--", T));
        lines.add(List.of("migrate", S, T, "--checkpoints"));
        lines.add(List.of("migrate", S, T, "--checkpoints", "--dry-run"));
        lines.add(List.of("migrate", S, T, "--parallelism", "-1"));
        lines.add(List.of("migrate", S, T, "--include", "-x"));
        lines.add(List.of("migrate", S, T, "--include=-x"));
        lines.add(List.of("migrate", S, T, "--checkpoints", "a", "--checkpoints", "b"));
        lines.add(List.of("migrate", S, T, "--checkpoints=a", "--checkpoints", "a"));
        lines.add(List.of("migrate", S, T, "--dry-run", "--dry-run"));
        lines.add(List.of("migrate", S, T, "--dry-run=true"));
        lines.add(List.of("migrate", S, T, "--dry-run=false"));
        lines.add(List.of("migrate", S, T, "--no-automap=yes"));
        lines.add(List.of("migrate", "", T));
        lines.add(List.of("migrate", S, T, "--include", ""));
        lines.add(List.of("migrate", S, T, "--checkpoints="));
        lines.add(List.of("migrate", S, T, "@args-that-are-not-there"));
        lines.add(List.of("migrate", "@args-that-are-not-there"));
        lines.add(List.of("migrate", S, T, "--include", "@x"));
        lines.add(List.of("migrate", S, T, "--identity", "foo"));
        lines.add(List.of("migrate", S, T, "--message-order", "random"));
        lines.add(List.of("migrate", S, T, "--max-size", "abc"));
        lines.add(List.of("migrate", S, T, "--max-size", "0"));
        lines.add(List.of("migrate", S, T, "--max-bytes-per-second=x"));
        lines.add(List.of("migrate", S, T, "--parallelism", "x"));
        lines.add(List.of("migrate", S, T, "--parallelism", "1.5"));
        lines.add(List.of("migrate", S, T, "--max-messages-per-second", "0"));
        lines.add(List.of("migrate", S, T, "--max-messages-per-second", "Infinity"));
        lines.add(List.of("migrate", S, T, "--since", "2024-13-01"));
        lines.add(List.of("migrate", S, T, "--before", "yesterday"));
        lines.add(List.of("migrate", S, T, "--rename", "foo"));
        lines.add(List.of("migrate", S, T, "--rename", "=x"));
        lines.add(List.of("migrate", S, T, "--rename", "x="));
        lines.add(List.of("migrate", S, T, "--wait-for-lock", "5y"));
        lines.add(List.of("migrate", S, T, "--folder-deadline", "10"));
        lines.add(List.of("migrate", S, T, "--preset", "yahoo"));
        lines.add(List.of("migrate", S, T, "--source-password-file", "s3cret\0"));
        lines.add(List.of("migrate", "not-a-store", T));
        lines.add(List.of("migrate", S, "imaps://mail.example.net"));
        lines.add(List.of("migrate", S, "ftp://anna@mail.example.net"));
        return lines;
    }

    private Terminal terminal(ByteArrayOutputStream out, ByteArrayOutputStream err, Map<String, String> env) {
        return new Terminal(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                null,
                false,
                home);
    }

    private Terminal quiet() {
        return terminal(new ByteArrayOutputStream(), new ByteArrayOutputStream(), Map.of());
    }

    /** The command picocli fills from {@code line}; null when it refuses the line or answers it with help. */
    private @Nullable MigrateCommand byPicocli(List<String> line) {
        CommandLine cl = Mailsync.commandLine(quiet(), line.get(0));
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(line.toArray(String[]::new));
            List<CommandLine> chain = parsed.asCommandLineList();
            CommandLine last = chain.get(chain.size() - 1);
            if (last.isUsageHelpRequested() || parsed.isUsageHelpRequested() || last == cl) {
                return null;
            }
            return last.getCommand() instanceof MigrateCommand m ? m : null;
        } catch (ParameterException e) {
            return null;
        }
    }

    @Test
    void theLinesItTakesAreReadAsPicocliReadsThem() throws Exception {
        for (List<String> line : accepted()) {
            MigrateCommand fast = MigrateFastPath.parse(line);
            MigrateCommand picocli = byPicocli(line);
            assertThat(fast).as("taken: %s", line).isNotNull();
            assertThat(picocli).as("picocli reads %s", line).isNotNull();
            assertSameFields(fast, picocli, String.valueOf(line));
        }
    }

    @Test
    void theLinesPicocliRefusesOrAnswersWithHelpItLeavesToPicocli() throws Exception {
        Path args = Files.writeString(home.resolve("args"), S + " " + T + "\n");
        List<List<String>> lines = new ArrayList<>(declined());
        lines.add(List.of("migrate", "@" + args));
        lines.add(List.of("migrate", S, T, "--include", "@" + args));
        for (List<String> line : lines) {
            assertThat(MigrateFastPath.parse(line)).as("declined: %s", line).isNull();
        }
        int refusedByPicocli = 0;
        for (List<String> line : lines) {
            if (byPicocli(line) == null) {
                refusedByPicocli++;
            }
        }
        // Most of them are wrong: picocli refuses them (or shows help), and says so as before.
        assertThat(refusedByPicocli).isGreaterThan(lines.size() * 3 / 4);
    }

    @Test
    void everyLineEitherGoesToPicocliOrGivesWhatPicocliGives() throws Exception {
        // Each accepted line, and each with one word dropped, doubled or moved to the end: lines
        // near the accepted ones, of which picocli refuses many.
        Set<List<String>> lines = new HashSet<>(accepted());
        lines.addAll(declined());
        for (List<String> line : accepted()) {
            for (int i = 1; i < line.size(); i++) {
                List<String> dropped = new ArrayList<>(line);
                dropped.remove(i);
                lines.add(dropped);
                List<String> doubled = new ArrayList<>(line);
                doubled.add(i, line.get(i));
                lines.add(doubled);
                List<String> moved = new ArrayList<>(line);
                moved.add(moved.remove(i));
                lines.add(moved);
            }
        }
        int taken = 0;
        int refused = 0;
        for (List<String> line : lines) {
            MigrateCommand fast = MigrateFastPath.parse(line);
            MigrateCommand picocli = byPicocli(line);
            if (picocli == null) {
                refused++;
                assertThat(fast).as("picocli refuses %s", line).isNull();
            } else if (fast != null) {
                taken++;
                assertSameFields(fast, picocli, String.valueOf(line));
            }
        }
        assertThat(taken).isGreaterThan(accepted().size());
        assertThat(refused).isGreaterThan(declined().size());
    }

    @Test
    void theTableIsPicocliModelOfMigrate() {
        CommandSpec spec = Mailsync.commandLine(quiet(), "migrate")
                .getSubcommands()
                .get("migrate")
                .getCommandSpec();
        Map<String, MigrateFastPath.Arity> model = new HashMap<>();
        for (OptionSpec option : spec.options()) {
            if (option.usageHelp()) {
                assertThat(option.names()).containsExactlyInAnyOrder("-h", "--help");
                continue;
            }
            assertThat(option.names()).as("one name each").hasSize(1);
            MigrateFastPath.Arity arity;
            if (option.arity().max() == 0) {
                arity = MigrateFastPath.Arity.FLAG;
            } else {
                assertThat(option.arity().min()).isEqualTo(1);
                assertThat(option.arity().max()).isEqualTo(1);
                assertThat(option.splitRegex()).isEmpty();
                arity = option.isMultiValue() ? MigrateFastPath.Arity.REPEATABLE : MigrateFastPath.Arity.ONE;
            }
            model.put(option.names()[0], arity);
        }
        assertThat(MigrateFastPath.OPTIONS).isEqualTo(model);
        List<PositionalParamSpec> positionals = spec.positionalParameters();
        assertThat(positionals).hasSize(2);
        for (PositionalParamSpec p : positionals) {
            assertThat(p.arity().min()).isEqualTo(1);
            assertThat(p.arity().max()).isEqualTo(1);
        }
        // The settings of picocli's that would change how it reads a line: as the fast path assumes.
        CommandLine cl = Mailsync.commandLine(quiet(), "migrate");
        assertThat(cl.isExpandAtFiles()).isTrue();
        assertThat(cl.isAbbreviatedOptionsAllowed()).isFalse();
        assertThat(cl.isCaseInsensitiveEnumValuesAllowed()).isFalse();
        assertThat(cl.isOptionsCaseInsensitive()).isFalse();
        assertThat(cl.isOverwrittenOptionsAllowed()).isFalse();
        assertThat(cl.isUnmatchedArgumentsAllowed()).isFalse();
        assertThat(cl.isTrimQuotes()).isFalse();
        assertThat(cl.isStopAtPositional()).isFalse();
        assertThat(cl.isStopAtUnmatched()).isFalse();
    }

    @Test
    void picocliSystemPropertiesLeaveTheLineToPicocli() {
        List<String> line = List.of("migrate", S, T);
        assertThat(MigrateFastPath.parse(line)).isNotNull();
        System.setProperty("picocli.trimQuotes", "true");
        try {
            assertThat(MigrateFastPath.parse(line)).isNull();
        } finally {
            System.clearProperty("picocli.trimQuotes");
        }
    }

    @Test
    void aRunSaysWhatThePicocliRunSaysWithTheSameExitCode() throws Exception {
        Path source = home.resolve("source");
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(source.resolve(sub));
        }
        Path pw = Files.writeString(home.resolve("pw"), "secret\n");
        String s = "maildir:" + source;
        String t = "maildir:" + home.resolve("target");
        String imap = "imap://anna@127.0.0.1:1";
        List<List<String>> lines = new ArrayList<>(declined());
        lines.addAll(List.of(
                List.of("migrate", s, t, "--parallelism", "0"),
                List.of("migrate", s, t, "--since", "2024-02-01", "--before", "2024-01-01"),
                List.of("migrate", imap, t, "--source-password-env", "UNSET"),
                List.of("migrate", imap, t, "--source-password-env", "PW", "--source-password-file", pw.toString()),
                List.of("migrate", imap, t),
                List.of(
                        "migrate",
                        "maildir:" + home.resolve("absent"),
                        t,
                        "--checkpoints",
                        home.resolve("c1").toString()),
                List.of("migrate", "pop3://anna@127.0.0.1:1", t, "--message-order", "source", "--include", "x"),
                List.of("migrate", s, t, "--checkpoints", home.resolve("c2").toString()),
                List.of("migrate", s, t, "--checkpoints", home.resolve("c2").toString(), "--dry-run")));
        int fast = 0;
        for (List<String> line : lines) {
            if (MigrateFastPath.parse(line) != null) {
                fast++;
            }
            String[] asRun = run(line, null);
            String[] byPicocli = run(line, Mailsync::dispatchByPicocli);
            assertThat(asRun).as("%s", line).isEqualTo(byPicocli);
        }
        assertThat(fast).isEqualTo(9);
    }

    /** Exit code, out and err of a run (times in the report blanked), through {@code commands} or as the tool runs. */
    private String[] run(List<String> line, Mailsync.@Nullable Dispatch commands) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal t = terminal(out, err, Map.of("PW", "secret"));
        int code = commands == null ? Mailsync.run(line, t) : Mailsync.run(line, t, commands);
        return Stream.of(
                        String.valueOf(code),
                        out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8))
                .map(text -> text.replaceAll("[0-9.]+ s\\b", "T s"))
                .toArray(String[]::new);
    }

    /** The fields picocli fills, in the command and its mixins, compared by value. */
    private static void assertSameFields(Object fast, Object picocli, String where) throws IllegalAccessException {
        assertThat(fast.getClass()).isEqualTo(picocli.getClass());
        for (Field f : fast.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            Object a = f.get(fast);
            Object b = f.get(picocli);
            String name = where + " " + fast.getClass().getSimpleName() + "." + f.getName();
            if (a != null
                    && f.getType().getName().startsWith("org.mailsync.examples.cli.")
                    && !f.getType().isRecord()
                    && !f.getType().isEnum()) {
                assertSameFields(a, Objects.requireNonNull(b, name), name);
            } else if (a instanceof IdentityStrategy ia) {
                assertThat(b).as(name).isInstanceOf(IdentityStrategy.class);
                assertThat(ia.getClass()).as(name).isEqualTo(b.getClass());
                assertThat(ia.needsFullContent()).as(name).isEqualTo(((IdentityStrategy) b).needsFullContent());
            } else {
                assertThat(a).as(name).isEqualTo(b);
            }
        }
    }
}
