package org.mailsync.examples.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.MessageSelection;
import picocli.CommandLine.Option;

/**
 * Which folders, under which names, and which messages: the options migrate, batch and verify
 * share (a picocli mixin), and the {@link FolderMapping} and {@link MessageSelection} they make.
 *
 * <p>Not thread-safe while picocli fills it; read-only afterwards.
 */
final class MappingOptions {
    @Option(
            names = "--include",
            paramLabel = "GLOB",
            description = "only folders matching GLOB (e.g. 'Archiv/*'), repeatable")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "leave out folders matching GLOB, repeatable")
    List<String> exclude = new ArrayList<>();

    @Option(
            names = "--rename",
            paramLabel = "FROM=TO",
            converter = OptionTypes.RenameRule.class,
            description = "folder FROM (and below) becomes TO, e.g. 'Gesendet=Sent', repeatable")
    List<OptionTypes.Rename> rename = new ArrayList<>();

    @Option(
            names = "--no-automap",
            description = "keep special-use folder names instead of mapping them to the target's Sent, Drafts,"
                    + " Trash, Junk ...")
    boolean noAutomap;

    @Option(
            names = "--under",
            paramLabel = "FOLDER",
            converter = OptionTypes.Folder.class,
            description = "put everything under FOLDER on the target (e.g. 'Import/Old')")
    @Nullable
    FolderPath under;

    @Option(
            names = "--max-size",
            paramLabel = "SIZE",
            converter = OptionTypes.Size.class,
            description = "leave out messages larger than SIZE (25M, 512k)")
    @Nullable
    Long maxSize;

    @Option(
            names = "--since",
            paramLabel = "DATE",
            converter = OptionTypes.Date.class,
            description = "only messages with an internal date on or after DATE (2024-01-31)")
    @Nullable
    Instant since;

    @Option(
            names = "--before",
            paramLabel = "DATE",
            converter = OptionTypes.Date.class,
            description = "only messages with an internal date before DATE: [since, before)")
    @Nullable
    Instant before;

    /** The folder mapping; a glob or folder the builder refuses is a usage error. */
    FolderMapping folders() {
        try {
            FolderMapping.Builder b = FolderMapping.builder();
            include.forEach(b::include);
            exclude.forEach(b::exclude);
            rename.forEach(r -> b.rename(r.from(), r.to()));
            if (noAutomap) {
                b.automapSpecialUse(false);
            }
            if (under != null) {
                b.under(under);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            // The builder refuses a glob or folder name the user typed: a usage error.
            throw new UsageException(String.valueOf(e.getMessage()));
        }
    }

    /** The message selection; a range the builder refuses is a usage error. */
    MessageSelection selection() {
        try {
            MessageSelection.Builder b = MessageSelection.builder();
            if (maxSize != null) {
                b.maxSize(maxSize);
            }
            if (since != null || before != null) {
                if (since != null && before != null && !since.isBefore(before)) {
                    throw new UsageException("--since must be before --before");
                }
                b.internalDateRange(since, before);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(String.valueOf(e.getMessage()));
        }
    }
}
