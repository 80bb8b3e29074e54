package org.mailsync.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.BadCommandException;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.mailsync.StoreCapacity;

/**
 * The size preflight's questions to an IMAP server, and the parsing of its answers: {@code
 * GETQUOTAROOT INBOX} (RFC 9208, RFC 2087: STORAGE in units of 1024 octets, MESSAGE a count), the
 * per-mailbox {@code STATUS INBOX (APPENDLIMIT)} (RFC 7889) and {@code STATUS name (MESSAGES SIZE)}
 * (RFC 8438). A server's refusal of a question (NO, BAD) means "unknown", never a failure: the
 * preflight says so and goes on.
 *
 * <p>Thread-safe (stateless).
 */
final class ImapCapacity {
    private static final Pattern LAST_LIST = Pattern.compile("\\(([^()]*)\\)\\s*$");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,15}");

    private ImapCapacity() {}

    /**
     * The account's capacity: the quota of the roots of INBOX (where several roots hold INBOX, the
     * one with the least room counts, each resource on its own) and the APPENDLIMIT, from {@code
     * declaredLimit} (CAPABILITY {@code APPENDLIMIT=n}) or asked of INBOX where the server offers a
     * bare {@code APPENDLIMIT} (limits per mailbox).
     */
    static StoreCapacity ask(IMAPProtocol p, boolean quota, boolean perMailboxLimit, OptionalLong declaredLimit)
            throws org.eclipse.angus.mail.iap.ProtocolException, java.io.IOException {
        StoreCapacity capacity = StoreCapacity.UNKNOWN;
        if (quota) {
            List<String> quotas = new ArrayList<>();
            try {
                Commands.stream(p, "GETQUOTAROOT", Commands.mailbox(new Argument(), p, "INBOX"), r -> {
                    String line = r.toString();
                    if (line.regionMatches(true, 0, "* QUOTA ", 0, 8)) {
                        quotas.add(line);
                    }
                });
            } catch (CommandFailedException | BadCommandException e) {
                // NO or BAD: no quota for this user (some servers say so instead of naming no root).
            }
            capacity = quotas(quotas);
        }
        if (declaredLimit.isPresent()) {
            capacity = capacity.withMaxMessageSize(declaredLimit.getAsLong());
        } else if (perMailboxLimit) {
            Long limit = statusItems(p, "INBOX", "APPENDLIMIT").get("APPENDLIMIT");
            if (limit != null && limit > 0) {
                capacity = capacity.withMaxMessageSize(limit);
            }
        }
        return capacity;
    }

    /** The capacity of {@code * QUOTA root (resource usage limit ...)} lines. */
    static StoreCapacity quotas(List<String> lines) {
        boolean storage = false;
        long storageUsed = 0;
        long storageLimit = 0;
        boolean messages = false;
        long messagesUsed = 0;
        long messageLimit = 0;
        for (String line : lines) {
            Matcher m = LAST_LIST.matcher(line);
            if (!m.find()) {
                continue;
            }
            String[] t = m.group(1).trim().split("\\s+");
            for (int i = 0; i + 2 < t.length; i += 3) {
                String resource = t[i].toUpperCase(Locale.ROOT);
                if (!NUMBER.matcher(t[i + 1]).matches()
                        || !NUMBER.matcher(t[i + 2]).matches()) {
                    continue; // not a number we can trust: this resource stays unknown
                }
                long used = Long.parseLong(t[i + 1]);
                long limit = Long.parseLong(t[i + 2]);
                if (resource.equals("STORAGE")) {
                    // RFC 9208 5.1: units of 1024 octets (NUMBER keeps them below 10^18, so no overflow).
                    long usedBytes = used * 1024;
                    long limitBytes = limit * 1024;
                    if (!storage || limitBytes - usedBytes < storageLimit - storageUsed) {
                        storage = true;
                        storageUsed = usedBytes;
                        storageLimit = limitBytes;
                    }
                } else if (resource.equals("MESSAGE")) {
                    if (!messages || limit - used < messageLimit - messagesUsed) {
                        messages = true;
                        messagesUsed = used;
                        messageLimit = limit;
                    }
                }
            }
        }
        StoreCapacity c = StoreCapacity.UNKNOWN;
        if (storage) {
            c = c.withStorage(storageUsed, storageLimit);
        }
        if (messages) {
            c = c.withMessages(messagesUsed, messageLimit);
        }
        return c;
    }

    /**
     * {@code STATUS name (items)}, each item's number; an item answered {@code NIL} or not at all is
     * left out, and a refused STATUS answers nothing (the caller decides what that means).
     */
    static java.util.Map<String, Long> statusItems(IMAPProtocol p, String name, String items)
            throws org.eclipse.angus.mail.iap.ProtocolException, java.io.IOException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try {
            Commands.stream(
                    p, "STATUS", Commands.mailbox(new Argument(), p, name).writeAtom("(" + items + ")"), r -> {
                        String line = r.toString();
                        if (line.regionMatches(true, 0, "* STATUS ", 0, 9)) {
                            out.putAll(items(line));
                        }
                    });
        } catch (CommandFailedException | BadCommandException e) {
            return java.util.Map.of();
        }
        return out;
    }

    /** The numeric items of a {@code * STATUS name (ITEM n ...)} line. */
    static java.util.Map<String, Long> items(String line) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        Matcher m = LAST_LIST.matcher(line);
        if (!m.find()) {
            return out;
        }
        String[] t = m.group(1).trim().split("\\s+");
        for (int i = 0; i + 1 < t.length; i += 2) {
            if (NUMBER.matcher(t[i + 1]).matches()) {
                out.put(t[i].toUpperCase(Locale.ROOT), Long.parseLong(t[i + 1]));
            }
        }
        return out;
    }

    /** The UIDs of a {@code * SEARCH n n ...} line; none for anything else. */
    static List<Long> searchHits(Response r) {
        String line = r.toString();
        List<Long> out = new ArrayList<>();
        if (!line.regionMatches(true, 0, "* SEARCH", 0, 8)) {
            return out;
        }
        for (String t : line.substring(8).trim().split("\\s+")) {
            if (NUMBER.matcher(t).matches()) {
                out.add(Long.parseLong(t));
            }
        }
        return out;
    }
}
