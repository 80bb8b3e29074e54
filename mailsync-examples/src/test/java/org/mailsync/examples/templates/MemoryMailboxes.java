package org.mailsync.examples.templates;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/** In-memory mailboxes for the template tests that need no server. */
final class MemoryMailboxes {
    private MemoryMailboxes() {}

    static byte[] message(int n, boolean withMessageId) {
        return ("From: sender" + n + "@example.org\r\n"
                        + "Subject: Nachricht " + n + "\r\n"
                        + "Date: Mon, 1 Jan 2024 10:00:0" + (n % 10) + " +0000\r\n"
                        + (withMessageId ? "Message-ID: <" + n + "@example.org>\r\n" : "")
                        + "\r\n"
                        + "Text " + n + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static void append(InMemoryStore store, FolderPath folder, byte[] bytes) throws Exception {
        store.createFolder(folder);
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(bytes)) {
            f.append(new AppendRequest(raw, Flags.of(Flag.SEEN), Instant.parse("2024-01-01T10:00:00Z")));
        }
    }

    /** A store with {@code count} messages in INBOX and in "Archiv", one without a Message-ID. */
    static InMemoryStore filled(String account, int count) throws Exception {
        InMemoryStore store = InMemoryStore.create(account);
        for (int i = 0; i < count; i++) {
            append(store, FolderPath.INBOX, message(i, i != 3));
            append(store, FolderPath.of("Archiv"), message(1000 + i, true));
        }
        return store;
    }
}
