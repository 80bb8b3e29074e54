package org.mailsync.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.mailsync.DeletionPolicy;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderMapping;
import org.mailsync.IdentityStrategies;
import org.mailsync.IdentityStrategy;
import org.mailsync.MessageOrder;
import org.mailsync.MessageSelection;
import org.mailsync.SyncEngine;
import org.mailsync.examples.RateLimitedStore;
import org.mailsync.spi.MailStore;
import picocli.CommandLine.Option;

/**
 * How a pass runs: the options migrate and batch share (a picocli mixin), and the one place where
 * they become the engine's settings ({@link Plan#engine}).
 *
 * <p>Not thread-safe while picocli fills it; read-only afterwards.
 */
final class RunOptions {
    @Option(
            names = "--dry-run",
            description = "report what would be copied, and whether it fits the target's quota and APPENDLIMIT;"
                    + " write nothing")
    boolean dryRun;

    @Option(
            names = "--identity",
            paramLabel = "header|content",
            converter = OptionTypes.Identity.class,
            completionCandidates = OptionTypes.IdentityNames.class,
            description = "how messages already on the target are recognised: a header fingerprint (default)"
                    + " or a SHA-256 of the whole message")
    IdentityStrategy identity = IdentityStrategies.headerFingerprint();

    @Option(
            names = "--mirror-deletes",
            description = "remove from the target what this sync copied and the source deleted")
    boolean mirrorDeletes;

    @Option(
            names = "--pop3-delete-after-copy",
            description = "after the pass, delete on a POP3 source the messages the target holds (found there by"
                    + " identity); off by default: nothing is ever deleted on the POP3 server")
    boolean pop3DeleteAfterCopy;

    @Option(names = "--copy-subscriptions", description = "subscribe on the target to what the source subscribes to")
    boolean copySubscriptions;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            converter = OptionTypes.Count.class,
            description = "folders at once (migrate: default 4; batch: per account, default 2)")
    @Nullable
    Integer parallelism;

    @Option(
            names = "--max-bytes-per-second",
            paramLabel = "SIZE",
            converter = OptionTypes.Size.class,
            description = "read the source no faster (2M, 512k; batch: per account)")
    long bytesPerSecond;

    @Option(
            names = "--max-messages-per-second",
            paramLabel = "N",
            converter = OptionTypes.Rate.class,
            description = "read the source no faster (batch: per account)")
    double messagesPerSecond;

    @Option(
            names = "--new-mail-only",
            description = "copy new mail only; without CONDSTORE on the source, flag changes then wait for a pass"
                    + " without this option (the report says which ran)")
    boolean newMailOnly;

    @Option(
            names = "--message-order",
            paramLabel = "ORDER",
            converter = OptionTypes.Order.class,
            description = "fastest (default): a large folder is copied over several connections at once, so target"
                    + " UIDs interleave; source: target UIDs follow the source's order (one connection per folder,"
                    + " slower when one folder holds most of the mail)")
    MessageOrder messageOrder = MessageOrder.FASTEST;

    @Option(
            names = "--write-source-ids",
            description = "let mailsync write Dovecot's id files into a Maildir source (by default a local source"
                    + " is never written to; its ids live beside the checkpoints)")
    boolean writeSourceIds;

    @Option(
            names = "--wait-for-lock",
            paramLabel = "DURATION",
            converter = OptionTypes.Span.class,
            description = "wait this long (30s, 10m, 2h) for another run holding the checkpoints instead of"
                    + " stopping at once with exit 7")
    Duration waitForLock = Duration.ZERO;

    @Option(
            names = "--folder-deadline",
            paramLabel = "DURATION",
            converter = OptionTypes.Span.class,
            description = "give up on a folder after this long (default 12h): reported, never silent")
    Duration folderDeadline = Duration.ofHours(SyncEngine.DEFAULT_FOLDER_DEADLINE_HOURS);

    @Option(
            names = "--account-deadline",
            paramLabel = "DURATION",
            converter = OptionTypes.Span.class,
            description = "give up on the whole account after this long (default 48h): reported, never silent")
    Duration accountDeadline = Duration.ofHours(SyncEngine.DEFAULT_ACCOUNT_DEADLINE_HOURS);

    /**
     * The plan of a pass: these options with the folders and messages of {@code mapping} (checked
     * here, once) and the folders at once given, or {@code defaultParallelism}, at most {@code
     * maxParallelism}.
     */
    Plan plan(MappingOptions mapping, int defaultParallelism, int maxParallelism) {
        int folders = parallelism == null ? defaultParallelism : OptionTypes.inRange("parallelism", parallelism, 1, 64);
        return new Plan(this, mapping.folders(), mapping.selection(), Math.min(folders, maxParallelism));
    }

    /**
     * Everything a pass needs besides its two stores, its checkpoint directory and its listener.
     * Read-only: it holds the options picocli filled, which nothing changes afterwards.
     */
    record Plan(RunOptions options, FolderMapping folders, MessageSelection selection, int parallelism) {
        /** A fresh engine builder with every setting of this plan. */
        SyncEngine.Builder engine(MailStore source, MailStore target, Path checkpoints) throws IOException {
            return SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpoints(FileCheckpointStore.in(checkpoints).waitForLock(options.waitForLock))
                    .newMailOnly(options.newMailOnly)
                    .messageOrder(options.messageOrder)
                    .folderDeadline(options.folderDeadline)
                    .accountDeadline(options.accountDeadline)
                    .folders(folders)
                    .selection(selection)
                    .identity(options.identity)
                    .deletions(options.mirrorDeletes ? DeletionPolicy.MIRROR : DeletionPolicy.KEEP)
                    .dryRun(options.dryRun)
                    .copySubscriptions(options.copySubscriptions)
                    .parallelism(parallelism);
        }

        /** The source as the pass reads it: no faster than the limits given. */
        MailStore throttled(MailStore source) {
            return RateLimitedStore.wrap(source, options.bytesPerSecond, options.messagesPerSecond);
        }

        /**
         * Where a local source's message ids live: beside the checkpoints, so that the source is
         * never written to; null with {@code --write-source-ids} (the Maildir keeps them itself).
         */
        @Nullable
        Path sourceIds(Path checkpoints) {
            return options.writeSourceIds ? null : checkpoints.resolve("source-ids");
        }

        /** A connection per folder worker plus one for the store itself. */
        int connections() {
            return parallelism + 1;
        }
    }
}
