package org.mailsync.examples.cli;

import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointBusyException;
import org.mailsync.DeletionPolicy;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderMapping;
import org.mailsync.IdentityStrategies;
import org.mailsync.IdentityStrategy;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.examples.RateLimitedStore;
import org.mailsync.spi.MailStore;

/**
 * {@code mailsync migrate SOURCE TARGET}: one pass of the sync engine from one store into another,
 * checkpointed so that the same command run again copies only what is new.
 *
 * <p>Thread-safe (stateless).
 */
final class MigrateCommand {
    static final ImmutableSet<String> FLAGS = ImmutableSet.<String>builder()
            .add("dry-run", "mirror-deletes", "no-automap", "copy-subscriptions", "help")
            .addAll(CommonOptions.RUN_FLAGS)
            .build();
    static final ImmutableSet<String> VALUED = ImmutableSet.<String>builder()
            .addAll(CommonOptions.CREDENTIAL_OPTIONS)
            .addAll(CommonOptions.MAPPING_OPTIONS)
            .addAll(CommonOptions.RUN_OPTIONS)
            .add("identity", "parallelism", "max-bytes-per-second", "max-messages-per-second", "checkpoints")
            .build();

    static final String HELP = "usage: mailsync migrate SOURCE TARGET [options]\n"
            + "  SOURCE, TARGET: imap://user@host[:port], imaps://..., imap+starttls://..., maildir:/path, mbox:/path\n"
            + "  --dry-run                   report what would be copied; write nothing\n"
            + CommonOptions.HELP_MAPPING
            + "  --identity header|content   how messages already on the target are recognised: a header\n"
            + "                              fingerprint (default) or a SHA-256 of the whole message\n"
            + "  --mirror-deletes            remove from the target what this sync copied and the source deleted\n"
            + "  --copy-subscriptions        subscribe on the target to what the source subscribes to\n"
            + "  --parallelism N             folders at once (default 4)\n"
            + "  --max-bytes-per-second SIZE, --max-messages-per-second N   read the source no faster\n"
            + "  --checkpoints DIR           where passes record what they did (default ~/.mailsync/checkpoints/<pair>)\n"
            + CommonOptions.HELP_RUN
            + "  one run per target account: a second run into the same mailbox (whatever its --checkpoints)\n"
            + "  stops at once with exit 7 while the first holds ~/.mailsync/locks/<hash of the target>.lock\n"
            + CommonOptions.HELP_CREDENTIALS;

    /** What a migration does besides the two stores. Immutable. */
    record Settings(
            FolderMapping mapping,
            MessageSelection selection,
            IdentityStrategy identity,
            boolean dryRun,
            boolean mirror,
            boolean copySubscriptions,
            int parallelism,
            long bytesPerSecond,
            double messagesPerSecond,
            CommonOptions.RunOptions run) {}

    /** How a migration ended; {@code report} is null when a store could not be opened. */
    record Result(ExitCode code, @Nullable SyncReport report, String problem) {}

    private MigrateCommand() {}

    static ExitCode run(List<String> args, Terminal t) throws InterruptedException {
        Options o = Options.parse(args, FLAGS, VALUED, CommonOptions.REPEATABLE);
        if (o.flag("help")) {
            t.out().print(HELP);
            return ExitCode.OK;
        }
        if (o.positional().size() != 2) {
            throw new UsageException("migrate needs SOURCE and TARGET\n" + HELP);
        }
        StoreSpec source = StoreSpec.parse(o.positional().get(0));
        StoreSpec target = StoreSpec.parse(o.positional().get(1));
        Settings settings = settings(o);
        int connections = settings.parallelism() + 1;
        StoreSpec.Credentials sc = CommonOptions.credentials("source", source, o, t, connections);
        StoreSpec.Credentials tc = CommonOptions.credentials("target", target, o, t, connections);
        Path checkpoints = o.value("checkpoints")
                .map(Path::of)
                .orElseGet(() -> CommonOptions.defaultCheckpoints(t.home(), source, target));
        Result result = migrate(source, sc, target, tc, settings, checkpoints, t, "migrate");
        if (result.report() != null) {
            t.out().print(result.report().toText());
        } else {
            t.err().println("mailsync: " + result.problem());
        }
        return result.code();
    }

    static Settings settings(Options o) {
        IdentityStrategy identity =
                switch (o.value("identity").orElse("header")) {
                    case "header" -> IdentityStrategies.headerFingerprint();
                    case "content" -> IdentityStrategies.contentHash();
                    default -> throw new UsageException("--identity must be header or content");
                };
        double messagesPerSecond = o.value("max-messages-per-second")
                .map(v -> {
                    try {
                        double d = Double.parseDouble(v);
                        if (d <= 0) {
                            throw new NumberFormatException();
                        }
                        return d;
                    } catch (NumberFormatException e) {
                        throw new UsageException("--max-messages-per-second needs a positive number, not " + v);
                    }
                })
                .orElse(0.0);
        return new Settings(
                CommonOptions.mapping(o),
                CommonOptions.selection(o),
                identity,
                o.flag("dry-run"),
                o.flag("mirror-deletes"),
                o.flag("copy-subscriptions"),
                o.intValue("parallelism", 1, 64).orElse(4),
                o.size("max-bytes-per-second").orElse(0L),
                messagesPerSecond,
                CommonOptions.runOptions(o));
    }

    /** Opens both stores, runs one pass, closes them. Never throws for a store failure. */
    static Result migrate(
            StoreSpec source,
            StoreSpec.Credentials sourceCredentials,
            StoreSpec target,
            StoreSpec.Credentials targetCredentials,
            Settings s,
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
            return migrateLocked(source, sourceCredentials, target, targetCredentials, s, checkpoints, t, label);
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
            Settings s,
            Path checkpoints,
            Terminal t,
            String label)
            throws InterruptedException {
        MailStore from = null;
        MailStore to = null;
        try {
            from = RateLimitedStore.wrap(
                    source.open(
                            sourceCredentials,
                            false,
                            null,
                            s.run().writeSourceIds() ? null : checkpoints.resolve("source-ids")),
                    s.bytesPerSecond(),
                    s.messagesPerSecond());
            to = new SerialFolderCreation(target.open(targetCredentials, true));
            ProgressListener progress = new ProgressListener(t.err(), t.interactive(), label, System::nanoTime);
            SyncReport report = SyncEngine.builder()
                    .source(from)
                    .target(to)
                    .checkpoints(FileCheckpointStore.in(checkpoints)
                            .waitForLock(s.run().waitForLock()))
                    .newMailOnly(s.run().newMailOnly())
                    .folderDeadline(s.run().folderDeadline())
                    .accountDeadline(s.run().accountDeadline())
                    .folders(s.mapping())
                    .selection(s.selection())
                    .identity(s.identity())
                    .deletions(s.mirror() ? DeletionPolicy.MIRROR : DeletionPolicy.KEEP)
                    .dryRun(s.dryRun())
                    .copySubscriptions(s.copySubscriptions())
                    .parallelism(s.parallelism())
                    .listener(progress)
                    .build()
                    .run();
            return new Result(exitCode(report, progress.decisiveFailure()), report, "");
        } catch (MailStoreException e) {
            return new Result(CommonOptions.exitCodeFor(e), null, e.getMessage());
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

    static ExitCode exitCode(SyncReport report, @Nullable MailStoreException decisive) {
        return switch (report.verdict()) {
            case COMPLETE -> ExitCode.OK;
            case COMPLETE_WITH_SKIPS -> ExitCode.PARTIAL;
            case FAILED -> {
                if (decisive != null && CommonOptions.exitCodeFor(decisive) != ExitCode.FAILURE) {
                    yield CommonOptions.exitCodeFor(decisive);
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
