package org.mailsync.examples;

import com.google.common.collect.ImmutableList;
import org.mailsync.FolderPair;

/**
 * What {@link MailboxVerifier} found, per folder pair.
 *
 * <p>Immutable.
 */
public record VerifyReport(ImmutableList<FolderComparison> folders) {
    /** How many example problems a folder lists at most. */
    public static final int MAX_EXAMPLES = 10;

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
            ImmutableList<String> examples) {
        /** Whether the target holds every source message once, byte for byte, flags and date. */
        public boolean clean() {
            return missing == 0 && duplicated == 0 && bytesDiffer == 0 && flagsDiffer == 0 && datesDiffer == 0;
        }
    }

    /** Whether every folder is {@link FolderComparison#clean() clean}. */
    public boolean clean() {
        return folders.stream().allMatch(FolderComparison::clean);
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
            for (String example : f.examples()) {
                out.append("    ").append(example).append('\n');
            }
        }
        out.append(
                clean()
                        ? "verify: OK, every source message is on the target once, byte for byte, with its flags and date\n"
                        : "verify: DIFFERENCES found (see above)\n");
        return out.toString();
    }
}
