package org.mailsync.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderInfo;
import org.mailsync.FolderMapping;
import org.mailsync.FolderSize;
import org.mailsync.MailStoreException;
import org.mailsync.StoreCapacity;
import org.mailsync.spi.MailStore;

/**
 * The size and quota preflight of {@code batch --preflight} and {@code migrate --dry-run} (issue
 * 17, part 4): the source's folders with their messages and bytes, the largest message against the
 * target's APPENDLIMIT, and the source's total against the room the target's quota leaves (its
 * limit less what it already holds). An account fits, does not fit (by how many MB, or by how many
 * messages), or the target says nothing, which is reported as unknown and never fails.
 *
 * <p>The check is for a first pass: on a re-run into a target that already holds the copies, they
 * count twice (once as the target's usage, once as the source's size). Sizes are of the folders the
 * folder options select, all their messages (a {@code --since} selection is not subtracted). MB
 * here are 10^6 bytes, as in the batch summary; a shortfall is rounded up.
 *
 * <p>Thread-safe (stateless); its reports are immutable.
 */
final class SizePreflight {
    private SizePreflight() {}

    /** One source folder's size. */
    record Folder(String name, FolderSize size) {}

    /** The source's side: its selected folders and their sizes, measured against {@code bound}. */
    record Source(List<Folder> folders, long bound) {
        long messages() {
            return folders.stream().mapToLong(f -> f.size().messages()).sum();
        }

        long bytes() {
            return folders.stream().mapToLong(f -> f.size().bytes()).sum();
        }

        long largerThanBound() {
            return folders.stream().mapToLong(f -> f.size().largerThanBound()).sum();
        }

        /** The largest message where any folder told it. */
        @Nullable
        Long largest() {
            return folders.stream()
                    .map(f -> f.size().largest())
                    .filter(java.util.Objects::nonNull)
                    .max(Long::compare)
                    .orElse(null);
        }
    }

    /** How an account's mail compares with its target. */
    enum Fit {
        FITS,
        DOES_NOT_FIT,
        UNKNOWN
    }

    /** The preflight of one account: the source's sizes, the target's capacity, the verdict and why. */
    record Report(Source source, StoreCapacity target, Fit fit, String verdict) {
        /** The account's size lines, for the report. */
        String toText(String account) {
            StringBuilder out = new StringBuilder();
            out.append("sizes of ").append(account).append(":\n");
            out.append(String.format(Locale.ROOT, "  %-40s %9s %10s %11s%n", "folder", "messages", "MB", "largest MB"));
            for (Folder f : source.folders()) {
                String name = f.name().length() <= 40 ? f.name() : f.name().substring(0, 39) + "…";
                Long largest = f.size().largest();
                out.append(String.format(
                        Locale.ROOT,
                        "  %-40s %9d %10s %11s%n",
                        name,
                        f.size().messages(),
                        mb(f.size().bytes()),
                        largest == null ? "-" : mb(largest)));
            }
            Long largest = source.largest();
            out.append(String.format(
                    Locale.ROOT,
                    "  %-40s %9d %10s %11s%n",
                    "total",
                    source.messages(),
                    mb(source.bytes()),
                    largest == null ? "-" : mb(largest)));
            out.append("  target: ").append(describe(target)).append('\n');
            out.append("  ").append(verdict).append('\n');
            return out.toString();
        }
    }

    /** Measures the source's selected folders against the target's APPENDLIMIT, and judges the fit. */
    static Report run(MailStore source, MailStore target, FolderMapping folders) throws MailStoreException {
        StoreCapacity capacity = target.capacity();
        return judge(measure(source, folders, bound(capacity)), capacity);
    }

    /** The bound a source is measured against: the target's APPENDLIMIT, or 0 if it has none. */
    static long bound(StoreCapacity target) {
        Long max = target.maxMessageSize();
        return max == null ? 0 : max;
    }

    /** The sizes of the source's selectable folders that {@code folders} selects. */
    static Source measure(MailStore source, FolderMapping folders, long bound) throws MailStoreException {
        List<Folder> out = new ArrayList<>();
        for (FolderInfo info : source.listFolders()) {
            if (info.selectable() && folders.selects(info.path())) {
                out.add(new Folder(info.path().toString(), source.folderSize(info.path(), bound)));
            }
        }
        return new Source(List.copyOf(out), bound);
    }

    /** The verdict: every limit the target states against what the source holds. */
    static Report judge(Source source, StoreCapacity target) {
        List<String> problems = new ArrayList<>();
        List<String> fits = new ArrayList<>();
        long bytes = source.bytes();
        Long free = target.freeBytes().isPresent() ? target.freeBytes().getAsLong() : null;
        if (free != null) {
            if (bytes > free) {
                problems.add("does not fit by " + mbUp(bytes - free) + " MB (needs " + mb(bytes)
                        + " MB, the quota leaves " + mb(Math.max(0, free)) + " MB)");
            } else {
                fits.add(mb(bytes) + " MB of " + mb(free) + " MB free");
            }
        }
        if (target.freeMessages().isPresent()) {
            long room = target.freeMessages().getAsLong();
            if (source.messages() > room) {
                problems.add("does not fit by " + (source.messages() - Math.max(0, room)) + " messages (needs "
                        + source.messages() + ", the quota leaves " + Math.max(0, room) + ")");
            } else {
                fits.add(source.messages() + " of " + room + " messages free");
            }
        }
        if (source.bound() > 0) {
            Long largest = source.largest();
            long above = source.largerThanBound();
            if (above > 0 || (largest != null && largest > source.bound())) {
                problems.add((above > 0 ? above + " message(s)" : "the largest message") + " larger than the target's"
                        + " APPENDLIMIT of " + mb(source.bound()) + " MB"
                        + (largest == null ? "" : " (largest " + mb(largest) + " MB)"));
            } else {
                fits.add("no message above the target's APPENDLIMIT of " + mb(source.bound()) + " MB");
            }
        }
        if (!problems.isEmpty()) {
            return new Report(source, target, Fit.DOES_NOT_FIT, String.join("; ", problems));
        }
        if (free == null && !target.freeMessages().isPresent()) {
            return new Report(
                    source,
                    target,
                    Fit.UNKNOWN,
                    "quota unknown (the target states none)" + (fits.isEmpty() ? "" : "; " + String.join("; ", fits)));
        }
        return new Report(source, target, Fit.FITS, "fits: " + String.join("; ", fits));
    }

    /** The target's capacity in words. */
    static String describe(StoreCapacity c) {
        List<String> parts = new ArrayList<>();
        Long storageLimit = c.storageLimit();
        Long storageUsed = c.storageUsed();
        if (storageLimit != null && storageUsed != null) {
            parts.add("quota " + mb(storageLimit) + " MB, " + mb(storageUsed) + " MB used");
        }
        Long messageLimit = c.messageLimit();
        Long messagesUsed = c.messagesUsed();
        if (messageLimit != null && messagesUsed != null) {
            parts.add("quota " + messageLimit + " messages, " + messagesUsed + " used");
        }
        Long max = c.maxMessageSize();
        if (parts.isEmpty()) {
            parts.add("no quota stated");
        }
        parts.add(max == null ? "no APPENDLIMIT stated" : "APPENDLIMIT " + mb(max) + " MB");
        return String.join(", ", parts);
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    /** Whole MB, rounded up: a shortfall is never understated. */
    static long mbUp(long bytes) {
        return (bytes + 999_999) / 1_000_000;
    }
}
