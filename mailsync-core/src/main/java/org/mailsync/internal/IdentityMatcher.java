package org.mailsync.internal;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ArrayListMultimap;
import com.google.common.collect.ListMultimap;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
import org.mailsync.IdentityStrategy;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Recognising one message on both sides of a folder pair, in two tiers. The strict tier is the
 * configured {@link IdentityStrategy}'s key (a header fingerprint by default), read in chunks of
 * header blocks or whole messages. The second tier is for messages a server rewrote when it
 * stored them (8-bit header bytes turned to {@code X}, a final CRLF added): a key over the header
 * block that maps such bytes alike, with sizes that differ by at most {@value #REWRITE_SLACK}
 * bytes. Matching is counting: a key that names three messages pairs three, lowest target id
 * first.
 *
 * <p>Not thread-safe; one instance per folder pass (the stores are read in the calling thread).
 */
final class IdentityMatcher {
    private static final int KEY_CHUNK = 200;

    private final IdentityStrategy strategy;
    private final MailFolder source;
    private final String sourceAccount;
    private final @Nullable MailFolder target;
    private final String targetAccount;

    /** @param target null where a dry run finds no target folder (nothing there to match) */
    IdentityMatcher(
            IdentityStrategy strategy,
            MailFolder source,
            String sourceAccount,
            @Nullable MailFolder target,
            String targetAccount) {
        this.strategy = strategy;
        this.source = source;
        this.sourceAccount = sourceAccount;
        this.target = target;
        this.targetAccount = targetAccount;
    }

    /** Identity keys of messages in {@code folder}, read in chunks (headers or whole messages). */
    Map<MessageUid, String> keys(MailFolder folder, List<MessageInfo> infos) throws MailStoreException {
        Map<MessageUid, MessageInfo> byUid = new HashMap<>();
        infos.forEach(m -> byUid.put(m.uid(), m));
        Map<MessageUid, String> keys = new HashMap<>();
        for (int i = 0; i < infos.size(); i += KEY_CHUNK) {
            List<MessageUid> chunk = infos.subList(i, Math.min(infos.size(), i + KEY_CHUNK)).stream()
                    .map(MessageInfo::uid)
                    .toList();
            if (strategy.needsFullContent()) {
                folder.readAll(chunk, (uid, raw) -> {
                    try (raw;
                            InputStream in = raw.openStream()) {
                        keys.put(uid, key(requireNonNull(byUid.get(uid)), in));
                    } catch (IOException e) {
                        throw readFailure(folder, uid, e);
                    }
                });
            } else {
                folder.readHeaders(chunk, (uid, block) -> {
                    try {
                        keys.put(uid, key(requireNonNull(byUid.get(uid)), new ByteArrayInputStream(block)));
                    } catch (IOException e) {
                        throw readFailure(folder, uid, e);
                    }
                });
            }
        }
        return keys;
    }

    String key(MessageInfo info, InputStream data) throws IOException {
        String key = strategy.key(info, data);
        if (key.isEmpty() || key.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalStateException("identity strategy " + strategy + " gave an invalid key: '" + key + "'");
        }
        return key;
    }

    MessageRejectedException readFailure(MailFolder folder, MessageUid uid, IOException e) {
        return new MessageRejectedException(
                ErrorContext.of(folder == source ? sourceAccount : targetAccount, folder.path(), uid),
                "cannot read message: " + e.getMessage(),
                e);
    }

    /** Target messages not yet paired: their listing, and their ids by identity key, lowest first. */
    record TargetIndex(List<MessageInfo> infos, ListMultimap<String, MessageUid> byKey) {}

    /**
     * Target messages {@code query} lists that are not {@code paired}, with their ids by identity
     * key, lowest first.
     */
    TargetIndex unpairedTargets(MessageQuery query, Predicate<MessageUid> paired) throws MailStoreException {
        return unpairedTargets(Objects.requireNonNull(this.target, "no target folder"), query, paired);
    }

    /** As {@link #unpairedTargets(MessageQuery, Predicate)}, through another opening of the target folder. */
    TargetIndex unpairedTargets(MailFolder target, MessageQuery query, Predicate<MessageUid> paired)
            throws MailStoreException {
        List<MessageInfo> infos = new ArrayList<>();
        target.list(query, batch -> {
            for (MessageInfo m : batch) {
                if (!paired.test(m.uid())) {
                    infos.add(m);
                }
            }
        });
        Map<MessageUid, String> keys = keys(target, infos);
        ListMultimap<String, MessageUid> byKey = ArrayListMultimap.create();
        for (MessageInfo m : infos) {
            String key = keys.get(m.uid());
            if (key != null) {
                byKey.put(key, m.uid());
            }
        }
        return new TargetIndex(infos, byKey);
    }

    /** Most bytes a server adds when it rewrites a message it stores (a final CRLF). */
    private static final long REWRITE_SLACK = 2;

    /**
     * The second tier of identity matching, for messages a server rewrote when it stored them:
     * pairs source and target messages that the strict key left unmatched, by a key over the
     * header block that maps 8-bit bytes and {@code X} alike, if their sizes differ by at most
     * {@value #REWRITE_SLACK} bytes. Counting, lowest target id first. Reads only the header
     * blocks of the two lists, and nothing when either is empty.
     */
    Map<MessageUid, MessageInfo> matchRelaxed(List<MessageInfo> sources, List<MessageInfo> targets)
            throws MailStoreException {
        if (sources.isEmpty() || targets.isEmpty()) {
            return Map.of();
        }
        Map<MessageUid, String> sourceKeys = relaxedKeys(source, sources);
        Map<MessageUid, String> targetKeys = relaxedKeys(Objects.requireNonNull(target, "no target folder"), targets);
        ListMultimap<String, MessageInfo> byKey = ArrayListMultimap.create();
        targets.stream()
                .sorted((a, b) -> a.uid().compareTo(b.uid()))
                .filter(t -> targetKeys.containsKey(t.uid()))
                .forEach(t -> byKey.put(targetKeys.get(t.uid()), t));
        Map<MessageUid, MessageInfo> matched = new HashMap<>();
        for (MessageInfo m : sources) {
            String key = sourceKeys.get(m.uid());
            if (key == null) {
                continue;
            }
            List<MessageInfo> found = byKey.get(key);
            for (int i = 0; i < found.size(); i++) {
                if (Math.abs(found.get(i).size() - m.size()) <= REWRITE_SLACK) {
                    matched.put(m.uid(), found.remove(i));
                    break;
                }
            }
        }
        return matched;
    }

    Map<MessageUid, String> relaxedKeys(MailFolder folder, List<MessageInfo> infos) throws MailStoreException {
        Map<MessageUid, String> keys = new HashMap<>();
        List<MessageUid> uids = infos.stream().map(MessageInfo::uid).toList();
        for (int i = 0; i < uids.size(); i += KEY_CHUNK) {
            folder.readHeaders(uids.subList(i, Math.min(uids.size(), i + KEY_CHUNK)), (uid, block) -> {
                String key = relaxedKey(block);
                if (key != null) {
                    keys.put(uid, key);
                }
            });
        }
        return keys;
    }

    /**
     * A key over a header block that survives the rewrites servers make: line ends as LF, every
     * 8-bit byte and every {@code X} as {@code X}, trailing white space dropped. Null for an
     * empty header block (nothing to tell such messages apart by).
     */
    static @Nullable String relaxedKey(byte[] block) {
        com.google.common.hash.Hasher hasher =
                com.google.common.hash.Hashing.sha256().newHasher();
        int end = block.length;
        while (end > 0
                && (block[end - 1] == '\n'
                        || block[end - 1] == '\r'
                        || block[end - 1] == ' '
                        || block[end - 1] == '\t')) {
            end--;
        }
        if (end == 0) {
            return null;
        }
        for (int i = 0; i < end; i++) {
            byte b = block[i];
            if (b == '\r') {
                continue;
            }
            hasher.putByte(b < 0 || b == 'X' ? (byte) 'X' : b);
        }
        return "r" + hasher.hash().toString().substring(0, 32);
    }
}
