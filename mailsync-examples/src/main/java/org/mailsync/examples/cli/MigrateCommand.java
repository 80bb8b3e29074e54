package org.mailsync.examples.cli;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointBusyException;
import org.mailsync.MailStoreException;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.MailStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mailsync migrate SOURCE TARGET}: one pass of the sync engine from one store into another,
 * checkpointed so that the same command run again copies only what is new.
 *
 * <p>Not thread-safe; picocli fills one instance per command line.
 */
@Command(
        name = "migrate",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync migrate SOURCE TARGET [options]",
        description = "copy a mailbox; run it again to copy only what is new (delta pass)",
        descriptionHeading = "%n",
        parameterListHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false,
        footerHeading = "%n",
        footer = {
            "One run per target account: a second run into the same mailbox (whatever its --checkpoints)",
            "stops at once with exit 7 while the first holds ~/.mailsync/locks/<hash of the target>.lock.",
            CredentialOptions.NO_PASSWORD_OPTION
        })
final class MigrateCommand implements Mailsync.Subcommand {
    /** How SOURCE and TARGET are written, for the help. */
    static final String STORES_1 = "imap://user@host[:port], imaps://..., imap+starttls://...,";

    static final String STORES_2 = "maildir:/path, mbox:/path, eml:/path; sources also pop3://, pop3s://, pop3+stls://";

    @Parameters(
            index = "0",
            paramLabel = "SOURCE",
            converter = OptionTypes.Store.class,
            description = {STORES_1, STORES_2})
    StoreSpec source;

    @Parameters(
            index = "1",
            paramLabel = "TARGET",
            converter = OptionTypes.Store.class,
            description = {STORES_1, STORES_2})
    StoreSpec target;

    @Mixin
    RunOptions run = new RunOptions();

    @Mixin
    MappingOptions mapping = new MappingOptions();

    @Option(
            names = "--checkpoints",
            paramLabel = "DIR",
            converter = OptionTypes.FileName.class,
            description = "where passes keep their state (default ~/.mailsync/checkpoints/<pair>)")
    @Nullable
    Path checkpoints;

    @Mixin
    CredentialOptions credentials = new CredentialOptions();

    @Mixin
    TrustOptions trust = new TrustOptions();

    @Mixin
    PresetOptions presets = new PresetOptions();

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    /** How a migration ended; {@code report} is null when a store could not be opened. */
    record Result(ExitCode code, @Nullable SyncReport report, String problem) {}

    @Override
    public String wrongArguments() {
        return "migrate needs SOURCE and TARGET";
    }

    @Override
    public ExitCode call(Terminal t) throws InterruptedException {
        RunOptions.Plan plan = run.plan(mapping, 4, 64);
        Pop3Specs.check(run, source);
        StoreSpec.Credentials sc = credentials
                .of(Side.SOURCE, source, trust, t, plan.connections())
                .withPreset(presets.of(Side.SOURCE));
        StoreSpec.Credentials tc = credentials
                .of(Side.TARGET, target, trust, t, plan.connections())
                .withPreset(presets.of(Side.TARGET));
        Path dir = checkpoints != null ? checkpoints : defaultCheckpoints(t.home(), source, target);
        Result result = migrate(source, sc, target, tc, plan, dir, t, "migrate");
        if (result.report() != null) {
            t.out().print(result.report().toText());
            if (!result.problem().isEmpty()) {
                t.err().println("mailsync: " + result.problem());
            }
        } else {
            t.err().println("mailsync: " + result.problem());
        }
        return result.code();
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

    /** Opens both stores, runs one pass, closes them. Never throws for a store failure. */
    static Result migrate(
            StoreSpec source,
            StoreSpec.Credentials sourceCredentials,
            StoreSpec target,
            StoreSpec.Credentials targetCredentials,
            RunOptions.Plan plan,
            Path checkpoints,
            Terminal t,
            String label)
            throws InterruptedException {
        // One run per target account, whatever the checkpoint directory: taken before either
        // store is opened, held until both are closed.
        AccountLock lock;
        try {
            lock = AccountLock.tryAcquire(t.home(), target.canonical()).orElse(null);
        } catch (IOException e) {
            return new Result(ExitCode.FAILURE, null, "cannot take the lock of " + target.canonical() + ": " + e);
        }
        if (lock == null) {
            return new Result(
                    ExitCode.BUSY,
                    null,
                    "busy: another run is writing into " + target.canonical()
                            + " (lock " + AccountLock.file(t.home(), target.canonical())
                            + "); wait for it to end, then run again");
        }
        try (lock) {
            return migrateLocked(source, sourceCredentials, target, targetCredentials, plan, checkpoints, t, label);
        } catch (IOException e) {
            // Releasing: the OS drops the lock with the file handle anyway.
            return new Result(ExitCode.FAILURE, null, "releasing the lock of " + target.canonical() + ": " + e);
        }
    }

    private static Result migrateLocked(
            StoreSpec source,
            StoreSpec.Credentials sourceCredentials,
            StoreSpec target,
            StoreSpec.Credentials targetCredentials,
            RunOptions.Plan plan,
            Path checkpoints,
            Terminal t,
            String label)
            throws InterruptedException {
        MailStore from = null;
        MailStore to = null;
        // A POP3 source's ids always live beside the checkpoints: nothing is written to the server.
        Path sourceIds =
                source.kind() == StoreSpec.Kind.POP3 ? checkpoints.resolve("source-ids") : plan.sourceIds(checkpoints);
        // Both stores log in at once (issue 15); the source's failure is the one reported, as
        // when they were opened one after the other.
        BackgroundOpen targetOpening =
                BackgroundOpen.start("mailsync-open-target", () -> target.open(targetCredentials, true));
        try {
            try {
                from = plan.throttled(source.open(sourceCredentials, false, null, sourceIds));
            } finally {
                if (from == null) {
                    targetOpening.abandon();
                }
            }
            to = new SerialFolderCreation(targetOpening.get());
            SizePreflight.Report sizes = plan.options().dryRun ? sizes(from, to, plan, t) : null;
            ProgressListener progress = new ProgressListener(t.err(), t.interactive(), label, System::nanoTime);
            SyncEngine engine =
                    plan.engine(from, to, checkpoints).listener(progress).build();
            SyncReport report = engine.run();
            ExitCode code = exitCode(report, progress.decisiveFailure());
            if (sizes != null && sizes.fit() == SizePreflight.Fit.DOES_NOT_FIT) {
                // A dry run is a preflight: an account that will not fit fails it.
                return new Result(code.worse(ExitCode.FAILURE), report, sizes.verdict());
            }
            if (plan.options().pop3DeleteAfterCopy && sourceIds != null) {
                return Pop3Specs.deleteCopied(
                        source, sourceCredentials, sourceIds, engine.configuration(), report, code, t);
            }
            return new Result(code, report, "");
        } catch (MailStoreException e) {
            return new Result(ExitCode.of(e), null, e.getMessage());
        } catch (CheckpointBusyException e) {
            return new Result(
                    ExitCode.BUSY,
                    null,
                    "busy: another run holds the checkpoint directory " + checkpoints + ": " + e.getMessage());
        } catch (IOException e) {
            return new Result(ExitCode.FAILURE, null, "checkpoint directory " + checkpoints + ": " + e.getMessage());
        } finally {
            closeQuietly(from, t);
            closeQuietly(to, t);
        }
    }

    /**
     * The size preflight of a dry run, printed before its report; null (and said why) when a store
     * cannot tell its sizes: the dry run goes on.
     */
    private static SizePreflight.@Nullable Report sizes(MailStore from, MailStore to, RunOptions.Plan plan, Terminal t)
            throws InterruptedException {
        try {
            SizePreflight.Report sizes = SizePreflight.run(from, to, plan.folders());
            t.out().print(sizes.toText(from.account() + " -> " + to.account()));
            return sizes;
        } catch (MailStoreException e) {
            t.out().println("sizes unknown: " + e.getMessage());
            return null;
        }
    }

    static ExitCode exitCode(SyncReport report, @Nullable MailStoreException decisive) {
        return switch (report.verdict()) {
            case COMPLETE -> ExitCode.OK;
            case COMPLETE_WITH_SKIPS -> ExitCode.PARTIAL;
            case FAILED -> {
                if (decisive != null && ExitCode.of(decisive) != ExitCode.FAILURE) {
                    yield ExitCode.of(decisive);
                }
                yield report.accountError() != null ? ExitCode.FAILURE : ExitCode.PARTIAL;
            }
        };
    }

    static void closeQuietly(@Nullable MailStore store, Terminal t) {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (MailStoreException e) {
            // The pass is over and its checkpoint written; a failing logout changes nothing.
            t.err().println("mailsync: closing " + store.account() + ": " + e.getMessage());
        }
    }
}
