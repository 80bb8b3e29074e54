package org.mailsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.Multiset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/** Reads whole folders for comparison: each message as bytes, flags and internal date. */
public final class MailboxAssertions {
    private MailboxAssertions() {}

    /** One message as a test compares it. */
    public record Snapshot(String bytes, Flags flags, Instant internalDate) {}

    /** Every message of a folder (bytes as ISO-8859-1 text, so every byte counts). */
    public static List<Snapshot> snapshot(MailStore store, FolderPath path) throws MailStoreException {
        List<Snapshot> out = new ArrayList<>();
        try (MailFolder folder = store.openFolder(path)) {
            List<MessageInfo> infos = new ArrayList<>();
            folder.list(MessageQuery.all(), infos::addAll);
            for (MessageInfo m : infos) {
                try (RawMessage raw = folder.read(m.uid()).orElseThrow()) {
                    out.add(new Snapshot(
                            new String(raw.toByteArray(), StandardCharsets.ISO_8859_1), m.flags(), m.internalDate()));
                }
            }
        }
        return out;
    }

    /** The folder's messages as a multiset, so duplicates and losses both show. */
    public static Multiset<Snapshot> multiset(MailStore store, FolderPath path) throws MailStoreException {
        return HashMultiset.create(snapshot(store, path));
    }

    /** Asserts both folders hold the same messages, each as often, with the same flags and dates. */
    public static void assertSameMessages(
            MailStore source, FolderPath sourcePath, MailStore target, FolderPath targetPath)
            throws MailStoreException {
        assertThat(multiset(target, targetPath))
                .as("%s in %s vs %s in %s", targetPath, target.account(), sourcePath, source.account())
                .isEqualTo(multiset(source, sourcePath));
    }
}
