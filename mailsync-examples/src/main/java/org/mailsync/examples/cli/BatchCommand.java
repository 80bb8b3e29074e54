package org.mailsync.examples.cli;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderMapping;
import org.mailsync.MailStoreException;
import org.mailsync.StoreCapacity;
import org.mailsync.SyncReport;
import org.mailsync.examples.cli.BatchFile.Account;
import org.mailsync.spi.MailStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mailsync batch FILE.csv}: many accounts, one CSV line each ({@link BatchFile}), several at
 * once under a cap on connections per server; or, with {@code --preflight}, only a login on both
 * sides of every line. One account failing never stops the others; a summary table ends the run.
 *
 * <p>Not thread-safe while picocli fills it; its runs only read it.
 */
@Command(
        name = "batch",
        synopsisHeading = "usage: ",
        customSynopsis =
                "mailsync batch FILE.csv --source imaps://old-host[:port] --target imaps://new-host[:port] [options]%n"
                        + "       (the source may also be pop3://, pop3s:// or pop3+stls://old-host[:port])",
        description = "migrate many accounts listed in a CSV file (--preflight: only test logins)",
        descriptionHeading = "%n",
        parameterListHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false)
final class BatchCommand implements Mailsync.Subcommand {
    @Parameters(
            index = "0",
            paramLabel = "FILE.csv",
            converter = OptionTypes.FileName.class,
            description = "lines: source user, source password, target user, target password[, source host[,"
                    + " target host]]; comma or semicolon separated, \"quoted\" fields; a first line naming the"
                    + " columns is skipped; a host column, where given, overrides --source/--target for that line"
                    + " (host[:port] or a URI)")
    Path file;

    @Option(
            names = "--source",
            paramLabel = "URI",
            converter = OptionTypes.Server.class,
            description = "the server of every line without a source host: imaps://old-host[:port], or a POP3"
                    + " server (pop3://, pop3s://, pop3+stls://), whose message ids are kept beside each account's"
                    + " checkpoints")
    @Nullable
    StoreSpec sourceServer;

    @Option(
            names = "--target",
            paramLabel = "URI",
            converter = OptionTypes.Server.class,
            description = "the server of every line without a target host: imaps://new-host[:port]")
    @Nullable
    StoreSpec targetServer;

    @Option(
            names = "--preflight",
            description = "only log in on both sides of every line and report what fails and why, with each"
                    + " account's folders, messages and MB against the target's quota and APPENDLIMIT (an account"
                    + " that does not fit fails with exit 6)")
    boolean preflight;

    @Option(
            names = "--preflight-timeout",
            paramLabel = "SECONDS",
            converter = OptionTypes.Count.class,
            description = "the most one account's preflight logins may take (default 30); a host that does not"
                    + " answer in time is reported as a timeout (exit 4); measuring the account's sizes then gets as"
                    + " long again (past it they are reported unknown)")
    int preflightTimeout = 30;

    @Option(
            names = "--charset",
            paramLabel = "NAME",
            converter = OptionTypes.CharsetName.class,
            description = "the file's charset (default: detected: UTF-8 with or without BOM, UTF-16 with BOM,"
                    + " else Windows-1252, which covers ISO-8859-1 spreadsheets)")
    @Nullable
    Charset charset;

    @Option(
            names = "--jobs",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "accounts at once (default 2; up to 64, or 512 with --preflight)")
    int jobs = 2;

    @Option(
            names = "--max-connections-per-server",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "the most connections to one server over all accounts (default 8, at least 2)")
    int maxConnectionsPerServer = 8;

    @Option(
            names = "--checkpoints",
            paramLabel = "DIR",
            converter = OptionTypes.FileName.class,
            description = "a directory per account below DIR (default ~/.mailsync/checkpoints)")
    @Nullable
    Path checkpointBase;

    @Option(
            names = "--provision-command",
            paramLabel = "CMD",
            description = "run CMD once per account before its migration, to create it on the target (with"
                    + " --preflight: in check mode); the account's values reach it as MAILSYNC_* environment"
                    + " variables, never on its command line (MAILSYNC_TARGET_USER, MAILSYNC_TARGET_PASSWORD,"
                    + " MAILSYNC_FIELD_<COLUMN> per extra CSV column, MAILSYNC_PROVISION_MODE=create|check); CMD is"
                    + " split into words and run without a shell (write sh -c '...' for one); a non-zero exit"
                    + " refuses the account with the command's first line of error output (exit 6)")
    @Nullable
    String provisionCommand;

    @Option(
            names = "--provision-timeout",
            paramLabel = "SECONDS",
            converter = OptionTypes.Count.class,
            description = "the most one run of the provision command may take (default 60); it is then stopped"
                    + " and the account refused")
    int provisionTimeout = 60;

    @Mixin
    RunOptions run = new RunOptions();

    @Mixin
    MappingOptions mapping = new MappingOptions();

    @Mixin
    TrustOptions trust = new TrustOptions();

    @Mixin
    PresetOptions presets = new PresetOptions();

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    /** Where the accounts' checkpoints are found when no --checkpoints is given; set before any account runs. */
    private @Nullable Path home;

    /** What became of one account. Immutable. */
    record Outcome(Account account, ExitCode code, @Nullable SyncReport report, String detail, double seconds) {}

    @Override
    public String wrongArguments() {
        return "batch needs one CSV file";
    }

    @Override
    public ExitCode call(Terminal t) throws InterruptedException {
        // A preflight only logs in: many more at once are fine, each bounded in time.
        int accountsAtOnce = OptionTypes.inRange("jobs", jobs, 1, preflight ? 512 : 64);
        // Two at least: an account needs one for store-level commands and one per open folder.
        int cap = OptionTypes.inRange("max-connections-per-server", maxConnectionsPerServer, 2, 1000);
        Duration timeout = Duration.ofSeconds(OptionTypes.inRange("preflight-timeout", preflightTimeout, 1, 3600));
        // An account never gets more folder workers than the cap leaves connections for (one is
        // the store's own), or its workers would wait on each other's connections.
        RunOptions.Plan plan = run.plan(mapping, 2, cap - 1);
        ProvisionCommand provision = provisionCommand == null
                ? null
                : new ProvisionCommand(
                        provisionCommand,
                        Duration.ofSeconds(OptionTypes.inRange("provision-timeout", provisionTimeout, 1, 86_400)),
                        t.env());
        List<Account> accounts = BatchFile.parse(BatchFile.read(file, charset), sourceServer, targetServer);
        if (accounts.isEmpty()) {
            throw new UsageException(file + " lists no accounts");
        }
        // Refused for every line before any account runs: a source that is not POP3, or mirrored deletes.
        accounts.forEach(a -> Pop3Specs.check(run, a.source()));
        home = t.home();
        try {
            return preflight
                    ? preflightAll(accounts, accountsAtOnce, cap, timeout, t, provision)
                    : migrateAll(accounts, plan, accountsAtOnce, cap, t, provision);
        } finally {
            accounts.forEach(a -> {
                Arrays.fill(a.sourcePassword(), '\0');
                Arrays.fill(a.targetPassword(), '\0');
            });
        }
    }

    private ExitCode migrateAll(
            List<Account> accounts,
            RunOptions.Plan plan,
            int jobs,
            int cap,
            Terminal t,
            @Nullable ProvisionCommand provision)
            throws InterruptedException {
        int perAccount = plan.connections();
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
                    if (provision != null) {
                        // Before any connection slot is taken: the command may take its time.
                        long begin = System.nanoTime();
                        ProvisionCommand.Result created = provision.run(account, ProvisionCommand.Mode.CREATE);
                        if (!created.accepted()) {
                            String why = "provisioning refused: " + created.reason();
                            quiet.err().println("batch " + account + ": " + why);
                            return new Outcome(account, ExitCode.FAILURE, null, why, seconds(begin));
                        }
                    }
                    // Permits are taken in server-name order, so that two accounts never wait on
                    // each other's servers.
                    List<Semaphore> held = new ArrayList<>();
                    int permits = Math.min(
                            cap,
                            perAccount
                                    * (account.source()
                                                    .server()
                                                    .equals(account.target().server())
                                            ? 2
                                            : 1));
                    for (String server : new java.util.TreeSet<>(
                            List.of(account.source().server(), account.target().server()))) {
                        Semaphore s = java.util.Objects.requireNonNull(
                                servers.get(server), "a slot for every server of the file");
                        s.acquire(permits);
                        held.add(s);
                    }
                    long start = System.nanoTime();
                    try {
                        return migrate(account, plan, quiet, start);
                    } catch (RuntimeException e) {
                        // One account's bug or bad line must not take the others down.
                        return new Outcome(account, ExitCode.FAILURE, null, e.toString(), seconds(start));
                    } finally {
                        held.forEach(s -> s.release(permits));
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
        }
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
    ExitCode preflightAll(List<Account> accounts, int jobs, int cap, Duration timeout, Terminal t)
            throws InterruptedException {
        return preflightAll(accounts, jobs, cap, timeout, t, null);
    }

    /**
     * The preflight as above; with a provision command, that command runs for each account in
     * check mode (a refusal fails the account with its reason), and a target login refused as
     * wrong user or password is no failure: the account is created only by the migration's run.
     */
    ExitCode preflightAll(
            List<Account> accounts,
            int jobs,
            int cap,
            Duration timeout,
            Terminal t,
            @Nullable ProvisionCommand provision)
            throws InterruptedException {
        home = t.home(); // a POP3 source's id directory, read by the login threads started below
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
        // The size preflight's folders: those the folder options select. Reports print in line order.
        FolderMapping folders = mapping.folders();
        Map<Integer, String> reports = new java.util.concurrent.ConcurrentSkipListMap<>();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Account account : accounts) {
                futures.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    long deadline = start + timeout.toNanos();
                    // Each side's login is judged by the account's deadline as soon as it is in;
                    // the sizes measured after it get a time of their own and never fail a login.
                    java.util.concurrent.CompletableFuture<Login> sourceIn =
                            new java.util.concurrent.CompletableFuture<>();
                    java.util.concurrent.CompletableFuture<Login> targetIn =
                            new java.util.concurrent.CompletableFuture<>();
                    Future<Login> source = logins.submit(() -> login(
                            account,
                            Side.SOURCE,
                            servers,
                            deadline,
                            perWait,
                            s -> SizePreflight.measure(s, folders, 0),
                            sourceIn));
                    Future<Login> target = logins.submit(() ->
                            login(account, Side.TARGET, servers, deadline, perWait, MailStore::capacity, targetIn));
                    List<String> problems = new ArrayList<>();
                    ExitCode code = ExitCode.OK;
                    boolean notYetCreated = false;
                    for (Future<Login> future : List.of(source, target)) {
                        String name = future == source ? "source" : "target";
                        Future<Login> in = future == source ? sourceIn : targetIn;
                        Login login;
                        try {
                            login = in.get(
                                    Math.max(0, deadline - System.nanoTime()),
                                    java.util.concurrent.TimeUnit.NANOSECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            // The login goes on until its own timeouts end it; the account's
                            // time is up now.
                            future.cancel(true);
                            login = new Login(
                                    ExitCode.CONNECTION,
                                    "no answer within " + timeout.toSeconds() + " s (preflight timeout)");
                        } catch (ExecutionException e) {
                            login = new Login(ExitCode.FAILURE, String.valueOf(e.getCause()));
                        }
                        if (provision != null && future == target && login.code() == ExitCode.AUTHENTICATION) {
                            notYetCreated = true; // the provision command creates it before the migration
                        } else if (login.code() != ExitCode.OK) {
                            code = code.worse(login.code());
                            problems.add(name + ": " + kind(login.code()) + ": " + login.reason());
                        }
                    }
                    boolean loginsWork = problems.isEmpty();
                    if (provision != null) {
                        // After the logins were judged: the command's time is not the logins'.
                        ProvisionCommand.Result check = provision.run(account, ProvisionCommand.Mode.CHECK);
                        if (!check.accepted()) {
                            code = code.worse(ExitCode.FAILURE);
                            problems.add("provisioning: refused: " + check.reason());
                        }
                    }
                    String detail = problems.isEmpty()
                            ? (notYetCreated
                                    ? "source login works; the target account is not there yet (the provision"
                                            + " command creates it)"
                                    : "both logins work")
                            : String.join("; ", problems);
                    if (loginsWork) {
                        long sizing = System.nanoTime() + timeout.toNanos();
                        Login[] done = new Login[2];
                        List<String> notes = new ArrayList<>();
                        for (Future<Login> future : List.of(source, target)) {
                            Login measured;
                            try {
                                measured = future.get(
                                        Math.max(0, sizing - System.nanoTime()),
                                        java.util.concurrent.TimeUnit.NANOSECONDS);
                            } catch (java.util.concurrent.TimeoutException e) {
                                future.cancel(true);
                                measured = new Login(
                                        ExitCode.OK, "", null, "not measured within " + timeout.toSeconds() + " s");
                            } catch (ExecutionException e) {
                                measured = new Login(ExitCode.OK, "", null, String.valueOf(e.getCause()));
                            }
                            if (!measured.note().isEmpty()) {
                                notes.add((future == source ? "source: " : "target: ") + measured.note());
                            }
                            done[future == source ? 0 : 1] = measured;
                        }
                        if (!notes.isEmpty()) {
                            detail += "; sizes unknown (" + String.join("; ", notes) + ")";
                        }
                        SizePreflight.Report sizes =
                                sizes(account, done[0], done[1], servers, sizing, perWait, folders);
                        if (sizes != null) {
                            reports.put(account.line(), sizes.toText(account.toString()));
                            detail += "; " + sizes.verdict();
                            if (sizes.fit() == SizePreflight.Fit.DOES_NOT_FIT) {
                                code = code.worse(ExitCode.FAILURE);
                            }
                        }
                    }
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
            reports.values().forEach(t.out()::print);
            t.out().print(summary(outcomes, true));
            return outcomes.stream().map(Outcome::code).reduce(ExitCode.OK, ExitCode::worse);
        } finally {
            pool.shutdownNow();
            logins.shutdownNow();
        }
    }

    /**
     * How one side's login went, and what was measured while logged in: the source's sizes, the
     * target's capacity (null when not measured; {@code note} says why).
     */
    private record Login(ExitCode code, String reason, @Nullable Object measured, String note) {
        Login(ExitCode code, String reason) {
            this(code, reason, null, "");
        }
    }

    /** What is measured on one side while logged in. */
    private interface Measure {
        Object on(MailStore store) throws MailStoreException;
    }

    /**
     * The size preflight of an account whose logins both worked: the source's sizes against the
     * target's capacity. Where the target has an APPENDLIMIT and a source folder's largest message
     * is unknown (a source with STATUS SIZE), the source is asked once more, for the messages above
     * it. Null when the sizes could not be measured (the login detail says so).
     */
    private SizePreflight.@Nullable Report sizes(
            Account account,
            Login source,
            Login target,
            Map<String, Semaphore> servers,
            long deadline,
            Duration perWait,
            FolderMapping folders)
            throws InterruptedException {
        if (!(source.measured() instanceof SizePreflight.Source sizes)) {
            return null;
        }
        StoreCapacity capacity = target.measured() instanceof StoreCapacity c ? c : StoreCapacity.UNKNOWN;
        long bound = SizePreflight.bound(capacity);
        boolean unknownLargest = sizes.folders().stream()
                .anyMatch(f -> f.size().messages() > 0 && f.size().largest() == null);
        if (bound > 0 && unknownLargest) {
            Login again = login(
                    account, Side.SOURCE, servers, deadline, perWait, s -> SizePreflight.measure(s, folders, bound));
            if (again.measured() instanceof SizePreflight.Source bounded) {
                sizes = bounded;
            } else {
                // Not checked against the APPENDLIMIT: judged without it rather than passed.
                return SizePreflight.judge(new SizePreflight.Source(sizes.folders(), 0), capacity);
            }
        }
        return SizePreflight.judge(new SizePreflight.Source(sizes.folders(), bound), capacity);
    }

    /**
     * One side's login, and {@code measure} while logged in. Holds one slot of that side's server
     * only while logged in there.
     */
    private Login login(
            Account a, Side side, Map<String, Semaphore> servers, long deadline, Duration perWait, Measure measure)
            throws InterruptedException {
        return login(a, side, servers, deadline, perWait, measure, new java.util.concurrent.CompletableFuture<>());
    }

    /**
     * One side's login as above; {@code loggedIn} gets the login's result as soon as it is known,
     * before anything is measured (or the failure that ended the login).
     */
    private Login login(
            Account a,
            Side side,
            Map<String, Semaphore> servers,
            long deadline,
            Duration perWait,
            Measure measure,
            java.util.concurrent.CompletableFuture<Login> loggedIn)
            throws InterruptedException {
        try {
            Login result = loginAndMeasure(a, side, servers, deadline, perWait, measure, loggedIn);
            loggedIn.complete(result);
            return result;
        } catch (InterruptedException | RuntimeException | Error e) {
            loggedIn.completeExceptionally(e);
            throw e;
        }
    }

    private Login loginAndMeasure(
            Account a,
            Side side,
            Map<String, Semaphore> servers,
            long deadline,
            Duration perWait,
            Measure measure,
            java.util.concurrent.CompletableFuture<Login> loggedIn)
            throws InterruptedException {
        StoreSpec spec = side == Side.SOURCE ? a.source() : a.target();
        Semaphore slot =
                java.util.Objects.requireNonNull(servers.get(spec.server()), "a slot for every server of the file");
        if (!slot.tryAcquire(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return new Login(ExitCode.CONNECTION, "no free connection slot for " + spec.server() + " in time");
        }
        try {
            StoreSpec.Credentials c = credentials(a, side, 1);
            long left = deadline - System.nanoTime();
            Duration wait =
                    Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), Math.min(left, perWait.toNanos())));
            // A POP3 source is given the account's id directory, which a login never writes to.
            Path ids = spec.kind() == StoreSpec.Kind.POP3
                    ? checkpoints(a, java.util.Objects.requireNonNull(home, "set before any login"))
                            .resolve("source-ids")
                    : null;
            try (MailStore store = spec.open(c, false, wait, ids)) {
                store.listFolders();
                loggedIn.complete(new Login(ExitCode.OK, ""));
                if (spec.kind() == StoreSpec.Kind.POP3 && !Pop3Specs.measuresSizes(store)) {
                    return new Login(
                            ExitCode.OK,
                            "",
                            null,
                            "POP3 server: its messages and bytes are not measured (that would read every message)");
                }
                try {
                    return new Login(ExitCode.OK, "", measure.on(store), "");
                } catch (MailStoreException e) {
                    // The login works; only the sizes are unknown, and the report says why.
                    return new Login(ExitCode.OK, "", null, e.reason());
                }
            } catch (MailStoreException e) {
                return new Login(ExitCode.of(e), e.reason());
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

    /** One account's checkpoint directory; a POP3 source's ids live in its {@code source-ids}. */
    private Path checkpoints(Account a, Path home) {
        Path checkpoints = MigrateCommand.defaultCheckpoints(home, a.source(), a.target());
        return checkpointBase != null ? checkpointBase.resolve(checkpoints.getFileName()) : checkpoints;
    }

    private Outcome migrate(Account a, RunOptions.Plan plan, Terminal t, long start) throws InterruptedException {
        Path checkpoints = checkpoints(a, t.home());
        MigrateCommand.Result r = MigrateCommand.migrate(
                a.source(),
                credentials(a, Side.SOURCE, plan.connections()),
                a.target(),
                credentials(a, Side.TARGET, plan.connections()),
                plan,
                checkpoints,
                t,
                a.name());
        String detail = r.report() == null
                ? r.problem()
                : r.report().optionalAccountError().orElse(r.report().verdict().toString());
        return new Outcome(a, r.code(), r.report(), detail, seconds(start));
    }

    /** One side's login of a line: its password from the file, the certificates trusted for that side. */
    private StoreSpec.Credentials credentials(Account a, Side side, int connections) {
        char[] password = side == Side.SOURCE ? a.sourcePassword() : a.targetPassword();
        return new StoreSpec.Credentials(StoreSpec.Credentials.kept(password), null, trust.of(side), connections)
                .withPreset(presets.of(side));
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
}
