package org.mailsync.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.MODSEQ;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.jspecify.annotations.Nullable;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;

/**
 * The IMAP commands mailsync sends itself, on top of Angus Mail's protocol object: commands whose
 * untagged answers are handed over one by one as they arrive (so a batch of bodies is never held
 * in memory at once), UID sets, flag lists and dates in IMAP syntax.
 *
 * <p>Thread-safe (stateless).
 */
final class Commands {
    private static final DateTimeFormatter INTERNAL_DATE = DateTimeFormatter.ofPattern(
                    "dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private Commands() {}

    /** Receives the untagged answers of a command as they arrive. */
    @FunctionalInterface
    interface Sink {
        void accept(Response response) throws IOException, ProtocolException;
    }

    /**
     * Sends a command and hands each untagged answer to {@code sink} as it is read; returns the
     * tagged answer, or throws Angus Mail's exception for a NO, BAD or BYE.
     */
    static Response stream(IMAPProtocol p, String command, @Nullable Argument args, Sink sink)
            throws IOException, ProtocolException {
        String tag = p.writeCommand(command, args);
        while (true) {
            Response r = p.readResponse();
            if (Connection.alertText(r) != null) {
                // Read here, not by Angus Mail: its handlers (the connection's) would not see it.
                p.notifyResponseHandlers(new Response[] {r});
            }
            if (r.isTagged() && tag.equals(r.getTag())) {
                p.handleResult(r);
                return r;
            }
            if (r.isBYE()) {
                throw new org.eclipse.angus.mail.iap.ConnectionException(p, r);
            }
            if (r.isUnTagged()) {
                sink.accept(r);
            }
        }
    }

    /** A mailbox name as an argument: modified UTF-7 (RFC 3501 5.1.3) unless UTF8=ACCEPT is on. */
    static Argument mailbox(Argument args, IMAPProtocol p, String name) {
        if (p.supportsUtf8()) {
            return args.writeString(name, StandardCharsets.UTF_8);
        }
        return args.writeString(BASE64MailboxEncoder.encode(name));
    }

    /** UIDs as a compact IMAP set: {@code 1:4,7,9:10}. Sorted, duplicates dropped. */
    static String uidSet(Collection<MessageUid> uids) {
        TreeSet<Long> sorted = new TreeSet<>();
        for (MessageUid uid : uids) {
            sorted.add(uid.value());
        }
        StringBuilder out = new StringBuilder();
        long start = -1;
        long end = -1;
        for (long uid : sorted) {
            if (start < 0) {
                start = end = uid;
            } else if (uid == end + 1) {
                end = uid;
            } else {
                appendRange(out, start, end);
                start = end = uid;
            }
        }
        if (start >= 0) {
            appendRange(out, start, end);
        }
        return out.toString();
    }

    private static void appendRange(StringBuilder out, long start, long end) {
        if (out.length() > 0) {
            out.append(',');
        }
        out.append(start);
        if (end != start) {
            out.append(':').append(end);
        }
    }

    /** The largest UID there can be: RFC 3501 nz-number is a 32-bit unsigned number. */
    static final long MAX_UID = 0xFFFFFFFFL;

    /**
     * Parses an IMAP UID set ({@code 3:5,9}) as APPENDUID, COPYUID and VANISHED carry it, in the
     * order written (a range written high to low counts up, RFC 4315 3). Counts before it expands:
     * a set of more than {@code max} UIDs ({@code 1:4000000000}), a 0, a number above 2^32-1 or
     * anything but digits, colons and commas is a protocol error, never a huge list or an
     * IllegalArgumentException.
     */
    static List<MessageUid> parseUidSet(String set, long max) throws WireGuard.Violation {
        String[] parts = set.split(",", -1);
        long[][] ranges = new long[parts.length][];
        long count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            int colon = part.indexOf(':');
            long a = uid(colon < 0 ? part : part.substring(0, colon), set);
            long b = colon < 0 ? a : uid(part.substring(colon + 1), set);
            ranges[i] = new long[] {Math.min(a, b), Math.max(a, b)};
            count += ranges[i][1] - ranges[i][0] + 1;
            if (count > max) {
                throw new WireGuard.Violation(
                        WireGuard.Violation.Kind.PROTOCOL,
                        "the UID set " + abbreviated(set) + " holds more than the " + max + " UIDs expected");
            }
        }
        List<MessageUid> out = new ArrayList<>((int) count);
        for (long[] range : ranges) {
            for (long uid = range[0]; uid <= range[1]; uid++) {
                out.add(MessageUid.of(uid));
            }
        }
        return out;
    }

    private static long uid(String digits, String set) throws WireGuard.Violation {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new WireGuard.Violation(
                    WireGuard.Violation.Kind.PROTOCOL, "the UID set " + abbreviated(set) + " is not a UID set");
        }
        long value = Long.parseLong(digits);
        if (value < 1 || value > MAX_UID) {
            throw new WireGuard.Violation(
                    WireGuard.Violation.Kind.PROTOCOL,
                    "the UID set " + abbreviated(set) + " holds " + value + ", which is no UID (1 to " + MAX_UID + ")");
        }
        return value;
    }

    private static String abbreviated(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    /** Flags as an IMAP list: {@code (\Seen $Forwarded)}. */
    static String flagList(Flags flags) {
        return "(" + flags + ")";
    }

    /** An internal date as APPEND takes it: {@code "29-Feb-2024 13:14:15 +0000"}. */
    static String internalDate(Instant date) {
        return INTERNAL_DATE.format(date);
    }

    /** Converts Angus Mail's flags to ours; {@code \Recent} and invalid keywords are left out. */
    static Flags flags(jakarta.mail.Flags imap) {
        Set<Flag> system = EnumSet.noneOf(Flag.class);
        if (imap.contains(jakarta.mail.Flags.Flag.ANSWERED)) {
            system.add(Flag.ANSWERED);
        }
        if (imap.contains(jakarta.mail.Flags.Flag.FLAGGED)) {
            system.add(Flag.FLAGGED);
        }
        if (imap.contains(jakarta.mail.Flags.Flag.DELETED)) {
            system.add(Flag.DELETED);
        }
        if (imap.contains(jakarta.mail.Flags.Flag.SEEN)) {
            system.add(Flag.SEEN);
        }
        if (imap.contains(jakarta.mail.Flags.Flag.DRAFT)) {
            system.add(Flag.DRAFT);
        }
        Set<String> keywords = new TreeSet<>();
        for (String keyword : imap.getUserFlags()) {
            if (Flags.isValidKeyword(keyword)) {
                keywords.add(keyword);
            }
        }
        return Flags.of(system, keywords);
    }

    /** The metadata in a FETCH answer, or null if it lacks the UID. */
    static @Nullable MessageInfo messageInfo(FetchResponse f) {
        UID uid = f.getItem(UID.class);
        if (uid == null) {
            return null;
        }
        FLAGS flags = f.getItem(FLAGS.class);
        RFC822SIZE size = f.getItem(RFC822SIZE.class);
        INTERNALDATE date = f.getItem(INTERNALDATE.class);
        MODSEQ modSeq = f.getItem(MODSEQ.class);
        return new MessageInfo(
                MessageUid.of(uid.uid),
                size == null ? 0 : size.size,
                flags == null ? Flags.NONE : flags(flags),
                date == null ? Instant.EPOCH : date.getDate().toInstant(),
                modSeq == null ? null : ModSeq.of(modSeq.modseq));
    }

    /** The numbers of an untagged {@code SEARCH} answer. */
    static List<Long> searchResults(Response r) {
        List<Long> out = new ArrayList<>();
        if (r instanceof IMAPResponse ir && ir.keyEquals("SEARCH")) {
            String rest = ir.getRest();
            for (String word : rest.trim().split("\\s+")) {
                if (word.matches("\\d+")) {
                    out.add(Long.parseLong(word));
                }
            }
        }
        return out;
    }

    /**
     * The UIDs of a {@code VANISHED} answer (RFC 7162 3.2.10): {@code * VANISHED (EARLIER) 3:5,9}
     * to a UID FETCH with the VANISHED modifier, or {@code * VANISHED 7} for an expunge seen while
     * the mailbox is selected; empty for any other answer. More than {@code max} UIDs is a
     * {@link WireGuard.Violation}.
     */
    static List<MessageUid> vanished(Response r, long max) throws WireGuard.Violation {
        if (r instanceof IMAPResponse ir && ir.keyEquals("VANISHED")) {
            String rest = ir.getRest().trim();
            if (rest.regionMatches(true, 0, "(EARLIER)", 0, "(EARLIER)".length())) {
                rest = rest.substring("(EARLIER)".length()).trim();
            }
            if (rest.matches("[0-9]+(:[0-9]+)?(,[0-9]+(:[0-9]+)?)*")) {
                return parseUidSet(rest, max);
            }
        }
        return List.of();
    }
}
