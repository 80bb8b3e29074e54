package org.mailsync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.mailsync.MailStoreException;
import org.mailsync.SyncReport;
import org.mailsync.spi.MailStore;

/**
 * {@code mailsync batch FILE.csv}: many accounts, one CSV line each ({@code source user, source
 * password, target user, target password[, source host[, target host]]}), several at once under a
 * cap on connections per server; or, with {@code --preflight}, only a login on both sides of
 * every line. One account failing never stops the others; a summary table ends the run.
 *
 * <p>Thread-safe (stateless).
 */
final class BatchCommand {
    static final ImmutableSet<String> FLAGS = ImmutableSet.<String>builder()
            .add("preflight", "dry-run", "mirror-deletes", "no-automap", "copy-subscriptions", "help")
            .addAll(CommonOptions.RUN_FLAGS)
            .build();
    static final ImmutableSet<String> VALUED = ImmutableSet.<String>builder()
            .addAll(CommonOptions.MAPPING_OPTIONS)
            .addAll(CommonOptions.RUN_OPTIONS)
            .add(
                    "source",
                    "target",
                    "charset",
                    "jobs",
                    "max-connections-per-server",
                    "identity",
                    "parallelism",
                    "max-bytes-per-second",
                    "max-messages-per-second",
                    "checkpoints",
                    "preflight-timeout",
                    "source-trust-sha256",
                    "target-trust-sha256")
            .build();

    static final String HELP =
            "usage: mailsync batch FILE.csv --source imaps://old-host[:port] --target imaps://new-host[:port]"
                    + " [options]\n"
                    + "  FILE.csv lines: source user, source password, target user, target password[, source host[, target host]]\n"
                    + "    (comma or semicolon separated, \"quoted\" fields; a first line naming the columns is skipped;\n"
                    + "    a host column, where given, overrides --source/--target for that line: host, host:port or a URI)\n"
                    + "  --preflight                 only log in on both sides of every line and report what fails and why\n"
                    + "  --preflight-timeout SECONDS the most one account's preflight may take (default 30); a host that\n"
                    + "                              does not answer in time is reported as a timeout (exit 4)\n"
                    + "  --charset NAME              the file's charset (default: detected: UTF-8 with or without BOM,\n"
                    + "                              else Windows-1252, which covers ISO-8859-1 spreadsheets)\n"
                    + "  --jobs N                    accounts at once (default 2; up to 64, or 512 with --preflight)\n"
                    + "  --max-connections-per-server N   the most connections to one server over all accounts (default 8, at least 2)\n"
                    + "  --checkpoints DIR           a directory per account is made below DIR (default ~/.mailsync/checkpoints)\n"
                    + "  --source-trust-sha256 FP, --target-trust-sha256 FP   trust this certificate, repeatable\n"
                    + "  and the options of migrate: --dry-run --include --exclude --rename --no-automap --under --max-size\n"
                    + "  --new-mail-only --write-source-ids --wait-for-lock --folder-deadline --account-deadline\n"
                    + "  --since --before --identity --mirror-deletes --copy-subscriptions --parallelism (per account, default 2)\n"
                    + "  --max-bytes-per-second --max-messages-per-second (per account)\n";

    /** One CSV line. Immutable; never printed with its passwords. */
    record Account(int line, StoreSpec source, char[] sourcePassword, StoreSpec target, char[] targetPassword) {
        String name() {
            return source.user() + " -> " + target.user();
        }

        @Override
        public String toString() {
            return "line " + line + ": " + name();
        }
    }

    /** What became of one account. Immutable. */
    record Outcome(Account account, ExitCode code, @Nullable SyncReport report, String detail, double seconds) {}

    private BatchCommand() {}

    static ExitCode run(List<String> args, Terminal t) throws InterruptedException {
        Options o = Options.parse(args, FLAGS, VALUED, CommonOptions.REPEATABLE);
        if (o.flag("help")) {
            t.out().print(HELP);
            return ExitCode.OK;
        }
        if (o.positional().size() != 1) {
            throw new UsageException("batch needs one CSV file\n" + HELP);
        }
        Path file = Path.of(o.positional().get(0));
        @Nullable
        StoreSpec sourceServer = o.value("source").map(s -> option("source", s)).orElse(null);
        @Nullable
        StoreSpec targetServer = o.value("target").map(s -> option("target", s)).orElse(null);
        List<Account> accounts = parse(read(file, o.value("charset").orElse(null)), sourceServer, targetServer);
        if (accounts.isEmpty()) {
            throw new UsageException(file + " lists no accounts");
        }
        boolean preflight = o.flag("preflight");
        // A preflight only logs in: many more at once are fine, each bounded in time.
        int jobs = o.intValue("jobs", 1, preflight ? 512 : 64).orElse(2);
        // Two at least: an account needs one for store-level commands and one per open folder.
        int cap = o.intValue("max-connections-per-server", 2, 1000).orElse(8);
        // Per account: a connection per folder worker plus one for the store itself.
        // An account never gets more folder workers than the cap leaves connections for, or its
        // workers would wait on each other's connections instead of working.
        int parallelism = Math.min(o.intValue("parallelism", 1, 64).orElse(2), cap - 1);
        int perAccount = parallelism + 1;
        if (preflight) {
            Duration timeout =
                    Duration.ofSeconds(o.intValue("preflight-timeout", 1, 3600).orElse(30));
            try {
                return preflightAll(accounts, o, jobs, cap, timeout, t);
            } finally {
                accounts.forEach(a -> {
                    Arrays.fill(a.sourcePassword(), '\0');
                    Arrays.fill(a.targetPassword(), '\0');
                });
            }
        }
        MigrateCommand.Settings settings = settings(o, parallelism);
        Path checkpointBase = o.value("checkpoints").map(Path::of).orElse(null);

        Map<String, Semaphore> servers = new TreeMap<>();
        for (Account a : accounts) {
            servers.computeIfAbsent(a.source().server(), s -> new Semaphore(cap, true));
            servers.computeIfAbsent(a.target().server(), s -> new Semaphore(cap, true));
        }
        // Accounts log lines, not bars: several run at once.
        Terminal quiet = new Terminal(t.err(), t.err(), t.env(), null, false, t.home());
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<Outcome>> futures = new ArrayList<>();
        try {
            for (Account account : accounts) {
                futures.add(pool.submit(() -> {
                    // Permits are taken in server-name order, so that two accounts never wait on
                    // each other's servers.
                    List<Semaphore> held = new ArrayList<>();
                    for (String server : new java.util.TreeSet<>(
                            List.of(account.source().server(), account.target().server()))) {
                        Semaphore s = requireNonNull(servers.get(server));
                        int permits = perAccount
                                * (account.source()
                                                .server()
                                                .equals(account.target().server())
                                        ? 2
                                        : 1);
                        s.acquire(Math.min(permits, cap));
                        held.add(s);
                    }
                    long start = System.nanoTime();
                    try {
                        return migrate(account, o, settings, perAccount, checkpointBase, quiet, start);
                    } catch (RuntimeException e) {
                        // One account's bug or bad line must not take the others down.
                        return new Outcome(account, ExitCode.FAILURE, null, e.toString(), seconds(start));
                    } finally {
                        int permits = perAccount
                                * (account.source()
                                                .server()
                                                .equals(account.target().server())
                                        ? 2
                                        : 1);
                        held.forEach(s -> s.release(Math.min(permits, cap)));
                    }
                }));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("batch worker failed", e.getCause());
                }
            }
            t.out().print(summary(outcomes, false));
            return outcomes.stream().map(Outcome::code).reduce(ExitCode.OK, ExitCode::worse);
        } finally {
            pool.shutdownNow();
            accounts.forEach(a -> {
                Arrays.fill(a.sourcePassword(), '\0');
                Arrays.fill(a.targetPassword(), '\0');
            });
        }
    }

    private static StoreSpec option(String name, String value) {
        try {
            return StoreSpec.server(value, "imaps");
        } catch (UsageException e) {
            throw new UsageException("--" + name + ": " + e.getMessage());
        }
    }

    private static MigrateCommand.Settings settings(Options o, int parallelism) {
        MigrateCommand.Settings s = MigrateCommand.settings(o);
        return new MigrateCommand.Settings(
                s.mapping(),
                s.selection(),
                s.identity(),
                s.dryRun(),
                s.mirror(),
                s.copySubscriptions(),
                parallelism,
                s.bytesPerSecond(),
                s.messagesPerSecond(),
                s.run());
    }

    /**
     * Logs in on both sides of every account, {@code jobs} accounts at once, each bounded by
     * {@code timeout} from its start: every wait of the store (connect, greeting, each answer) is
     * a fraction of it, nothing is retried, and the account's result is taken when the time is up
     * whatever a login still waits for. A connection slot of a server is held only while logging
     * in to that server, never while waiting for the other side, so a silent host delays only the
     * accounts on that host. Threads are bounded: {@code jobs} for the accounts and at most {@code
     * 4 * jobs} for logins (past that, an account logs in on its own thread).
     */
    static ExitCode preflightAll(List<Account> accounts, Options o, int jobs, int cap, Duration timeout, Terminal t)
            throws InterruptedException {
        Map<String, Semaphore> servers = new java.util.concurrent.ConcurrentHashMap<>();
        for (Account a : accounts) {
            servers.computeIfAbsent(a.source().server(), s -> new Semaphore(cap, true));
            servers.computeIfAbsent(a.target().server(), s -> new Semaphore(cap, true));
        }
        Terminal quiet = new Terminal(t.err(), t.err(), t.env(), null, false, t.home());
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadFactory daemons = r -> {
            Thread thread = new Thread(r, "mailsync-preflight-" + threads.incrementAndGet());
            thread.setDaemon(true); // a login past its time never keeps the JVM alive
            return thread;
        };
        ExecutorService pool = Executors.newFixedThreadPool(jobs, daemons);
        java.util.concurrent.ThreadPoolExecutor logins = new java.util.concurrent.ThreadPoolExecutor(
                0,
                4 * jobs,
                10,
                java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(),
                daemons,
                new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        // Each wait of the store is a third of the account's time: connect, greeting and login
        // together still end within it.
        Duration perWait = timeout.dividedBy(3).compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1)
                : timeout.dividedBy(3);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Account account : accounts) {
                futures.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    long deadline = start + timeout.toNanos();
                    Future<Side> source = logins.submit(() -> login(account, true, o, servers, deadline, perWait));
                    Future<Side> target = logins.submit(() -> login(account, false, o, servers, deadline, perWait));
                    List<String> problems = new ArrayList<>();
                    ExitCode code = ExitCode.OK;
                    for (Future<Side> future : List.of(source, target)) {
                        String name = future == source ? "source" : "target";
                        Side side;
                        try {
                            side = future.get(
                                    Math.max(0, deadline - System.nanoTime()),
                                    java.util.concurrent.TimeUnit.NANOSECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            // The login goes on until its own timeouts end it; the account's
                            // time is up now.
                            future.cancel(true);
                            side = new Side(
                                    ExitCode.CONNECTION,
                                    "no answer within " + timeout.toSeconds() + " s (preflight timeout)");
                        } catch (ExecutionException e) {
                            side = new Side(ExitCode.FAILURE, String.valueOf(e.getCause()));
                        }
                        if (side.code() != ExitCode.OK) {
                            code = code.worse(side.code());
                            problems.add(name + ": " + kind(side.code()) + ": " + side.reason());
                        }
                    }
                    String detail = problems.isEmpty() ? "both logins work" : String.join("; ", problems);
                    quiet.err().println("preflight " + account + ": " + detail);
                    return new Outcome(account, code, null, detail, seconds(start));
                }));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("preflight worker failed", e.getCause());
                }
            }
            t.out().print(summary(outcomes, true));
            return outcomes.stream().map(Outcome::code).reduce(ExitCode.OK, ExitCode::worse);
        } finally {
            pool.shutdownNow();
            logins.shutdownNow();
        }
    }

    /** How one side's login went. */
    private record Side(ExitCode code, String reason) {}

    /** One side's login. Holds one slot of that side's server only while logging in there. */
    private static Side login(
            Account a, boolean source, Options o, Map<String, Semaphore> servers, long deadline, Duration perWait)
            throws InterruptedException {
        StoreSpec spec = source ? a.source() : a.target();
        Semaphore slot = requireNonNull(servers.get(spec.server()));
        if (!slot.tryAcquire(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return new Side(ExitCode.CONNECTION, "no free connection slot for " + spec.server() + " in time");
        }
        try {
            StoreSpec.Credentials c = credentials(source ? a.sourcePassword() : a.targetPassword(), o, source, 1);
            long left = deadline - System.nanoTime();
            Duration wait =
                    Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), Math.min(left, perWait.toNanos())));
            try (MailStore store = spec.open(c, false, wait)) {
                store.listFolders();
                return new Side(ExitCode.OK, "");
            } catch (MailStoreException e) {
                return new Side(CommonOptions.exitCodeFor(e), e.reason());
            }
        } finally {
            slot.release();
        }
    }

    private static String kind(ExitCode code) {
        return switch (code) {
            case AUTHENTICATION -> "wrong user or password";
            case CONNECTION -> "unreachable, timed out or TLS failed";
            default -> "failed";
        };
    }

    private static Outcome migrate(
            Account a,
            Options o,
            MigrateCommand.Settings settings,
            int connections,
            @Nullable Path checkpointBase,
            Terminal t,
            long start)
            throws InterruptedException {
        Path checkpoints = CommonOptions.defaultCheckpoints(t.home(), a.source(), a.target());
        if (checkpointBase != null) {
            checkpoints = checkpointBase.resolve(checkpoints.getFileName());
        }
        MigrateCommand.Result r = MigrateCommand.migrate(
                a.source(),
                credentials(a.sourcePassword(), o, true, connections),
                a.target(),
                credentials(a.targetPassword(), o, false, connections),
                settings,
                checkpoints,
                t,
                a.name());
        String detail = r.report() == null
                ? r.problem()
                : r.report().optionalAccountError().orElse(r.report().verdict().toString());
        return new Outcome(a, r.code(), r.report(), detail, seconds(start));
    }

    private static StoreSpec.Credentials credentials(char[] password, Options o, boolean source, int connections) {
        char[] copy = password.clone();
        Supplier<char[]> supplier = () -> copy.clone();
        return new StoreSpec.Credentials(
                supplier, null, o.all(source ? "source-trust-sha256" : "target-trust-sha256"), connections);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static String summary(List<Outcome> outcomes, boolean preflight) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%-5s %-44s %-14s %7s %7s %7s %8s %7s  %s%n",
                "line", "account", "result", "copied", "present", "failed", "MB", "seconds", "detail"));
        for (Outcome o : outcomes) {
            SyncReport r = o.report();
            String name = o.account().name();
            out.append(String.format(
                    "%-5d %-44s %-14s %7s %7s %7s %8s %7.1f  %s%n",
                    o.account().line(),
                    name.length() <= 44 ? name : name.substring(0, 43) + "…",
                    o.code() == ExitCode.OK ? "OK" : o.code().name(),
                    r == null ? "-" : String.valueOf(r.copied()),
                    r == null ? "-" : String.valueOf(r.alreadyPresent()),
                    r == null ? "-" : String.valueOf(r.failed()),
                    r == null ? "-" : String.format("%.1f", r.copiedBytes() / 1e6),
                    o.seconds(),
                    o.detail()));
        }
        long ok = outcomes.stream().filter(o -> o.code() == ExitCode.OK).count();
        out.append(String.format("%s: %d of %d accounts OK%n", preflight ? "preflight" : "batch", ok, outcomes.size()));
        return out.toString();
    }

    /** The file's text: the charset given, or UTF-8 (a BOM is dropped) if it decodes, else Windows-1252. */
    static String read(Path file, @Nullable String charsetName) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            // Not its name: what does not exist may be something typed in the wrong place.
            throw new UsageException("the CSV file given to batch does not exist");
        } catch (IOException e) {
            throw new UsageException("the CSV file given to batch cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        int offset =
                bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF
                        ? 3
                        : 0;
        // Excel's "Unicode text" and many Windows tools write UTF-16 with a byte order mark.
        if (charsetName == null && bytes.length >= 2) {
            int b0 = bytes[0] & 0xff;
            int b1 = bytes[1] & 0xff;
            if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
                Charset utf16 = b0 == 0xFF ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE;
                try {
                    return utf16.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, 2, bytes.length - 2))
                            .toString();
                } catch (CharacterCodingException e) {
                    throw new UsageException(file + " starts with a UTF-16 byte order mark but is not UTF-16 text");
                }
            }
        }
        if (charsetName == null) {
            for (byte b : bytes) {
                if (b == 0) {
                    // No single-byte CSV holds NUL; this is UTF-16 (or UTF-32) without a BOM.
                    throw new UsageException(file + " holds NUL bytes: it looks like UTF-16 without a byte order"
                            + " mark; save it as UTF-8, or give --charset UTF-16LE (or UTF-16BE)");
                }
            }
        }
        if (charsetName != null) {
            Charset charset;
            try {
                charset = Charset.forName(charsetName);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                throw new UsageException("unknown charset " + charsetName);
            }
            return new String(
                    bytes,
                    charset == StandardCharsets.UTF_8 ? offset : 0,
                    bytes.length - (charset == StandardCharsets.UTF_8 ? offset : 0),
                    charset);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset))
                    .toString();
        } catch (CharacterCodingException e) {
            // Not UTF-8: a spreadsheet saved as "CSV" on Windows writes its ANSI code page.
            return new String(bytes, Charset.forName("windows-1252"));
        }
    }

    /** The accounts of a CSV text. */
    static List<Account> parse(String text, @Nullable StoreSpec sourceServer, @Nullable StoreSpec targetServer) {
        List<Account> accounts = new ArrayList<>();
        String[] lines = text.split("\r\n|\n|\r", -1);
        char separator = ',';
        for (String line : lines) {
            if (!line.isBlank() && !line.startsWith("#")) {
                separator = line.indexOf(';') >= 0 && line.indexOf(',') < 0 ? ';' : ',';
                break;
            }
        }
        boolean first = true;
        int columns = 6;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = fields(line, separator, i + 1);
            if (first && isHeader(fields)) {
                first = false;
                // A line with more fields than the header names has a separator where none
                // belongs, most likely inside an unquoted password: refused, never guessed at.
                columns = Math.max(4, Math.min(6, fields.size()));
                continue; // a header naming the columns
            }
            first = false;
            // Errors below name the line and column only: a field may hold (part of) a password.
            if (fields.size() < 4 || fields.size() > columns) {
                throw new UsageException("line " + (i + 1) + ": expected 4 to " + columns
                        + " fields (source user, source password, target user, target password[, source host[,"
                        + " target host]]), found " + fields.size()
                        + (fields.size() > columns ? " (is a password with a separator in it not \"quoted\"?)" : ""));
            }
            StoreSpec source = server(fields, 4, sourceServer, "source", i + 1);
            StoreSpec target = server(fields, 5, targetServer, "target", i + 1);
            source = user(source, fields, 0, i + 1);
            target = user(target, fields, 2, i + 1);
            accounts.add(new Account(
                    i + 1,
                    source,
                    fields.get(1).toCharArray(),
                    target,
                    fields.get(3).toCharArray()));
        }
        refuseDuplicates(accounts);
        return accounts;
    }

    /**
     * Two lines with the same source account, or the same target account, would have two runs
     * write one mailbox at once (each copying what the other copies): refused up front, naming the
     * lines. User names are compared without case, as most servers log them in.
     */
    private static void refuseDuplicates(List<Account> accounts) {
        Map<String, Integer> sources = new java.util.HashMap<>();
        Map<String, Integer> targets = new java.util.HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Account a : accounts) {
            Integer s = sources.putIfAbsent(a.source().canonical().toLowerCase(Locale.ROOT), a.line());
            if (s != null) {
                problems.add("lines " + s + " and " + a.line() + " name the same source account "
                        + a.source().canonical());
            }
            Integer t = targets.putIfAbsent(a.target().canonical().toLowerCase(Locale.ROOT), a.line());
            if (t != null) {
                problems.add("lines " + t + " and " + a.line() + " name the same target account "
                        + a.target().canonical());
            }
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("\n", problems)
                    + "\n(one line per account: two runs into one mailbox at once would copy its mail twice)");
        }
    }

    /** A first line that names the columns (English or German), rather than an account. */
    private static boolean isHeader(List<String> fields) {
        if (fields.size() < 2) {
            return false;
        }
        String user = fields.get(0).trim().toLowerCase(Locale.ROOT);
        String password = fields.get(1).trim().toLowerCase(Locale.ROOT);
        return (user.startsWith("source")
                        || user.startsWith("quell")
                        || user.startsWith("user")
                        || user.startsWith("benutzer"))
                && (password.contains("pass") || password.contains("kennwort"));
    }

    private static StoreSpec user(StoreSpec server, List<String> fields, int index, int line) {
        String user = fields.get(index).trim();
        if (user.isEmpty() || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new UsageException("line " + line + ", column " + (index + 1) + ": not a user name");
        }
        return server.withUser(user);
    }

    private static StoreSpec server(
            List<String> fields, int index, @Nullable StoreSpec fallback, String side, int line) {
        if (fields.size() > index && !fields.get(index).isBlank()) {
            String scheme = fallback == null
                    ? "imaps"
                    : requireNonNull(fallback.security()).scheme();
            try {
                // Checked for syntax here, for every line, before any line is run: a field that
                // is not a plausible host name is never looked up.
                String text = fields.get(index).trim();
                StoreSpec spec = StoreSpec.server(text, scheme);
                // A bare single-label name ("neu", "x2024") is far more often the tail of a
                // password shifted by an unquoted separator than a server: a host column must be
                // a dotted name, an address, localhost, or a URI that says it is one.
                if (!text.contains("://")
                        && !requireNonNull(spec.host()).contains(".")
                        && !spec.host().contains(":")
                        && !spec.host().equals("localhost")) {
                    throw new UsageException("not a fully qualified host name (write mail.example.org,"
                            + " an address, or imaps://host for a name without dots)");
                }
                return spec;
            } catch (UsageException e) {
                throw new UsageException(
                        "line " + line + ", column " + (index + 1) + " (" + side + " host): " + e.getMessage());
            }
        }
        if (fallback == null) {
            throw new UsageException("line " + line + ": no " + side + " host: give --" + side + " or a host column");
        }
        return fallback;
    }

    /** Splits one CSV line: fields may be quoted, a quote inside doubled (RFC 4180). */
    private static List<String> fields(String line, char separator, int number) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
            } else if (c == separator) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new UsageException("line " + number + ": a quoted field is not closed");
        }
        fields.add(field.toString());
        return fields;
    }
}
