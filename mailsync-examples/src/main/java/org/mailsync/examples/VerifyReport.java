package org.mailsync.examples;

import com.google.common.collect.ImmutableList;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderPair;

/**
 * What {@link MailboxVerifier} found: per folder pair, and what in the source was never read as a
 * message of any folder.
 *
 * @param folders each folder pair compared (or the reason it could not be)
 * @param unaccounted files and folders of the source that no message read accounts for, with the
 *     reason: links, files that are not mail, folders the store did not list or read only in part
 *     <p>Immutable.
 */
public record VerifyReport(ImmutableList<FolderComparison> folders, ImmutableList<Unaccounted> unaccounted) {
    /** How many example problems a folder lists at most. */
    public static final int MAX_EXAMPLES = 10;

    /** How many unaccounted items the text lists at most (all are counted). */
    public static final int MAX_UNACCOUNTED_LISTED = 1000;

    /** A report without a census of the source (an IMAP source). */
    public VerifyReport(ImmutableList<FolderComparison> folders) {
        this(folders, ImmutableList.of());
    }

    /**
     * Something in the source that verify cannot find among the messages read.
     *
     * @param location a path under the source's root, or a folder name
     * @param reason why it is not accounted for
     */
    public record Unaccounted(String location, String reason) {
        @Override
        public String toString() {
            return location + ": " + reason;
        }
    }

    /**
     * One folder pair compared.
     *
     * @param pair the folders
     * @param sourceMessages messages selected in the source folder
     * @param targetMessages messages in the target folder
     * @param missing source messages the target lacks
     * @param duplicated target messages that are an extra copy of a source message
     * @param bytesDiffer source messages found on the target by their headers but with other bytes
     * @param flagsDiffer messages whose flags differ
     * @param datesDiffer messages whose internal dates differ
     * @param extra target messages with no source counterpart (mail the target had of its own)
     * @param examples the first few problems, naming message ids
     * @param error why the folder could not be compared (it failed to open or read), or null
     */
    public record FolderComparison(
            FolderPair pair,
            long sourceMessages,
            long targetMessages,
            long missing,
            long duplicated,
            long bytesDiffer,
            long flagsDiffer,
            long datesDiffer,
            long extra,
            ImmutableList<String> examples,
            @Nullable String error) {
        /** A folder pair that could not be compared, and why. */
        public static FolderComparison failed(FolderPair pair, String error) {
            return new FolderComparison(pair, 0, 0, 0, 0, 0, 0, 0, 0, ImmutableList.of(), error);
        }

        /** Whether the target holds every source message once, byte for byte, flags and date. */
        public boolean clean() {
            return error == null
                    && missing == 0
                    && duplicated == 0
                    && bytesDiffer == 0
                    && flagsDiffer == 0
                    && datesDiffer == 0;
        }
    }

    /**
     * Whether every folder is {@link FolderComparison#clean() clean} and everything in the source
     * is accounted for.
     */
    public boolean clean() {
        return unaccounted.isEmpty() && folders.stream().allMatch(FolderComparison::clean);
    }

    /** The report as a table for a terminal or a log. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%-40s %7s %7s %7s %7s %7s %7s %7s %7s%n",
                "folder", "source", "target", "missing", "dupl.", "bytes≠", "flags≠", "dates≠", "extra"));
        for (FolderComparison f : folders) {
            String name = f.pair().toString();
            out.append(String.format(
                    "%-40s %7d %7d %7d %7d %7d %7d %7d %7d%n",
                    name.length() <= 40 ? name : name.substring(0, 39) + "…",
                    f.sourceMessages(),
                    f.targetMessages(),
                    f.missing(),
                    f.duplicated(),
                    f.bytesDiffer(),
                    f.flagsDiffer(),
                    f.datesDiffer(),
                    f.extra()));
            if (f.error() != null) {
                out.append("    could not be compared: ").append(f.error()).append('\n');
            }
            for (String example : f.examples()) {
                out.append("    ").append(example).append('\n');
            }
        }
        if (!unaccounted.isEmpty()) {
            out.append(String.format("unaccounted for in the source (%d):%n", unaccounted.size()));
            unaccounted.stream()
                    .limit(MAX_UNACCOUNTED_LISTED)
                    .forEach(u -> out.append("    ").append(u).append('\n'));
            if (unaccounted.size() > MAX_UNACCOUNTED_LISTED) {
                out.append("    ... and ")
                        .append(unaccounted.size() - MAX_UNACCOUNTED_LISTED)
                        .append(" more\n");
            }
        }
        out.append(
                clean()
                        ? "verify: OK, every source message is on the target once, byte for byte, with its flags and date\n"
                        : "verify: DIFFERENCES found (see above)\n");
        return out.toString();
    }
}
