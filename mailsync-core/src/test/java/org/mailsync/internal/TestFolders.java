package org.mailsync.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailsync.Flags;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** Puts messages into a folder and lists it, for the tests of the engine's parts. Thread-safe (stateless). */
final class TestFolders {
    static final Instant DATE = Instant.parse("2025-06-01T08:00:00Z");

    private TestFolders() {}

    /** Appends {@code message} without flags; returns its id (the test stores report ids). */
    static MessageUid put(MailFolder folder, byte[] message) throws Exception {
        try (RawMessage raw = RawMessage.of(message)) {
            return folder.append(new AppendRequest(raw, Flags.NONE, DATE)).orElseThrow();
        }
    }

    /** Every message of the folder, lowest id first. */
    static List<MessageInfo> list(MailFolder folder) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        folder.list(MessageQuery.all(), all::addAll);
        return all;
    }
}
