package org.mailsync.examples.cli;

import static java.util.Objects.requireNonNullElse;

import com.google.common.collect.ImmutableSet;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncEngine;

/**
 * The options that several commands share (credentials, folders, message selection) and how they
 * become engine settings. Thread-safe (stateless).
 */
final class CommonOptions {
    static final ImmutableSet<String> CREDENTIAL_OPTIONS = ImmutableSet.of(
            "source-password-file",
            "source-password-env",
            "source-oauth2-token-file",
            "source-trust-sha256",
            "target-password-file",
            "target-password-env",
            "target-oauth2-token-file",
            "target-trust-sha256");
    static final ImmutableSet<String> MAPPING_OPTIONS =
            ImmutableSet.of("include", "exclude", "rename", "under", "max-size", "since", "before");
    static final ImmutableSet<String> REPEATABLE =
            ImmutableSet.of("include", "exclude", "rename", "source-trust-sha256", "target-trust-sha256");

    static final String HELP_CREDENTIALS =
            """
              --source-password-file F    first line of F is the source password
              --source-password-env VAR   the source password is in environment variable VAR
              --source-oauth2-token-file F  log in with XOAUTH2, the access token read from F at each login
              --source-trust-sha256 FP    trust this server certificate (SHA-256 fingerprint), repeatable
              --target-...                the same for the target
                (no password option given: mailsync asks on the terminal; never on the command line)
            """;
    /** Flags of a run, shared by migrate and batch. */
    static final ImmutableSet<String> RUN_FLAGS = ImmutableSet.of("new-mail-only", "write-source-ids");

    /** Valued options of a run, shared by migrate and batch. */
    static final ImmutableSet<String> RUN_OPTIONS =
            ImmutableSet.of("wait-for-lock", "folder-deadline", "account-deadline");

    static final String HELP_RUN =
            "  --new-mail-only             copy new mail only; without CONDSTORE on the source, flag changes then\n"
                    + "                              wait for a pass without this option (the report says which ran)\n"
                    + "  --write-source-ids          let mailsync write Dovecot's id files into a Maildir source (by default a\n"
                    + "                              local source is never written to; its ids live beside the checkpoints)\n"
                    + "  --wait-for-lock DURATION    wait this long (30s, 10m, 2h) for another run holding the checkpoints\n"
                    + "                              instead of stopping at once with exit 7\n"
                    + "  --folder-deadline DURATION  give up on a folder after this long (default 12h), --account-deadline\n"
                    + "                              DURATION on the whole account (default 48h): reported, never silent\n";

    /** What a run does besides mapping and selection. Immutable. */
    record RunOptions(
            boolean newMailOnly,
            boolean writeSourceIds,
            Duration waitForLock,
            Duration folderDeadline,
            Duration accountDeadline) {}

    static RunOptions runOptions(Options o) {
        return new RunOptions(
                o.flag("new-mail-only"),
                o.flag("write-source-ids"),
                o.value("wait-for-lock").map(v -> duration("wait-for-lock", v)).orElse(Duration.ZERO),
                o.value("folder-deadline")
                        .map(v -> duration("folder-deadline", v))
                        .orElse(Duration.ofHours(SyncEngine.DEFAULT_FOLDER_DEADLINE_HOURS)),
                o.value("account-deadline")
                        .map(v -> duration("account-deadline", v))
                        .orElse(Duration.ofHours(SyncEngine.DEFAULT_ACCOUNT_DEADLINE_HOURS)));
    }

    /** A duration as people type it: {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}. */
    static Duration duration(String option, String value) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("([0-9]{1,9})([smhd])").matcher(value.trim());
        if (!m.matches()) {
            throw new UsageException("--" + option + " needs a duration such as 90s, 10m, 2h or 1d, not " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    static final String HELP_MAPPING =
            """
              --include GLOB              only folders matching GLOB (e.g. 'Archiv/*'), repeatable
              --exclude GLOB              leave out folders matching GLOB, repeatable
              --rename FROM=TO            folder FROM (and below) becomes TO, e.g. 'Gesendet=Sent', repeatable
              --no-automap                keep special-use folder names instead of mapping them
                                          to the target's Sent, Drafts, Trash, Junk ...
              --under FOLDER              put everything under FOLDER on the target (e.g. 'Import/Old')
              --max-size SIZE             leave out messages larger than SIZE (25M, 512k)
              --since DATE, --before DATE only messages with an internal date in [since, before)
            """;

    private CommonOptions() {}

    /** Credentials of one side ({@code "source"} or {@code "target"}) for an IMAP store. */
    static StoreSpec.Credentials credentials(
            String side, StoreSpec spec, Options o, Terminal terminal, int maxConnections) {
        List<String> trusted = o.all(side + "-trust-sha256");
        if (spec.kind() != StoreSpec.Kind.IMAP) {
            return new StoreSpec.Credentials(null, null, trusted, maxConnections);
        }
        Optional<String> tokenFile = o.value(side + "-oauth2-token-file");
        if (tokenFile.isPresent()) {
            Path file = Path.of(tokenFile.get());
            String option = side + "-oauth2-token-file";
            StoreSpec.readSecretFile(file, option); // refused now, not at the first login
            // Read at each login: a token refresher may rewrite the file while a long run goes on.
            Supplier<String> token = () -> new String(StoreSpec.readSecretFile(file, option));
            return new StoreSpec.Credentials(null, token, trusted, maxConnections);
        }
        return new StoreSpec.Credentials(
                password(side, spec, o.value(side + "-password-file"), o.value(side + "-password-env"), terminal),
                null,
                trusted,
                maxConnections);
    }

    static Supplier<char[]> password(
            String side, StoreSpec spec, Optional<String> file, Optional<String> env, Terminal terminal) {
        if (file.isPresent() && env.isPresent()) {
            throw new UsageException("give the " + side + " password one way: a file or an environment variable");
        }
        char[] secret;
        if (file.isPresent()) {
            secret = StoreSpec.readSecretFile(Path.of(file.get()), side + "-password-file");
        } else if (env.isPresent()) {
            String value = terminal.env().get(env.get());
            if (value == null) {
                // Not its name: a password typed where the variable's name belongs would show.
                throw new UsageException("the environment variable named by --" + side + "-password-env is not set");
            }
            secret = value.toCharArray();
        } else {
            Terminal.PasswordPrompt console = terminal.optionalConsole()
                    .orElseThrow(() -> new UsageException("no password for " + spec.canonical() + ": give --" + side
                            + "-password-file or --" + side + "-password-env, or run on a terminal to be asked"));
            char[] typed = console.readPassword("Password for " + spec.canonical() + ": ");
            if (typed == null) {
                throw new UsageException("no password typed for " + spec.canonical());
            }
            secret = typed;
        }
        char[] kept = secret;
        return () -> kept.clone();
    }

    static FolderMapping mapping(Options o) {
        try {
            return buildMapping(o);
        } catch (IllegalArgumentException e) {
            // The builder refuses a glob or folder name the user typed: a usage error.
            throw new UsageException(requireNonNullElse(e.getMessage(), e.toString()));
        }
    }

    private static FolderMapping buildMapping(Options o) {
        FolderMapping.Builder b = FolderMapping.builder();
        o.all("include").forEach(b::include);
        o.all("exclude").forEach(b::exclude);
        for (String rule : o.all("rename")) {
            int eq = rule.indexOf('=');
            if (eq <= 0 || eq == rule.length() - 1) {
                throw new UsageException("--rename needs FROM=TO, not " + rule);
            }
            b.rename(folder(rule.substring(0, eq)), folder(rule.substring(eq + 1)));
        }
        if (o.flag("no-automap")) {
            b.automapSpecialUse(false);
        }
        o.value("under").ifPresent(u -> b.under(folder(u)));
        return b.build();
    }

    static MessageSelection selection(Options o) {
        try {
            return buildSelection(o);
        } catch (IllegalArgumentException e) {
            throw new UsageException(requireNonNullElse(e.getMessage(), e.toString()));
        }
    }

    private static MessageSelection buildSelection(Options o) {
        MessageSelection.Builder b = MessageSelection.builder();
        o.size("max-size").ifPresent(b::maxSize);
        var since = o.date("since");
        var before = o.date("before");
        if (since.isPresent() || before.isPresent()) {
            if (since.isPresent() && before.isPresent() && !since.get().isBefore(before.get())) {
                throw new UsageException("--since must be before --before");
            }
            b.internalDateRange(since.orElse(null), before.orElse(null));
        }
        return b.build();
    }

    /** A folder as the user writes it: segments separated by {@code /}. */
    static FolderPath folder(String text) {
        try {
            return FolderPath.parse(text, '/');
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad folder name " + text + ": " + e.getMessage());
        }
    }

    /**
     * The default checkpoint directory of a source/target pair: one per pair, so that running the
     * same command again is a delta pass, and named by a hash of the two stores (user, host, port
     * or path; never a password).
     */
    static Path defaultCheckpoints(Path home, StoreSpec source, StoreSpec target) {
        String key = source.canonical() + "\n" + target.canonical();
        String hash = Hashing.sha256()
                .hashString(key, StandardCharsets.UTF_8)
                .toString()
                .substring(0, 16);
        return home.resolve(".mailsync").resolve("checkpoints").resolve(hash);
    }

    /** The exit code for a failure that stopped a store from opening or an account from syncing. */
    static ExitCode exitCodeFor(MailStoreException e) {
        if (e instanceof AuthenticationException) {
            return ExitCode.AUTHENTICATION;
        }
        if (e instanceof ConnectionException) {
            return ExitCode.CONNECTION;
        }
        if (e instanceof StoreFailureException && isTlsProblem(e)) {
            return ExitCode.CONNECTION;
        }
        return ExitCode.FAILURE;
    }

    /** The IMAP store reports an untrusted certificate or a missing STARTTLS as a store failure. */
    private static boolean isTlsProblem(MailStoreException e) {
        String reason = e.reason().toLowerCase(java.util.Locale.ROOT);
        return reason.contains("certificate") || reason.contains("tls") || reason.contains("ssl");
    }
}
