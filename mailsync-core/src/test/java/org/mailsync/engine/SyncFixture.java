package org.mailsync.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailsync.Capability;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SpecialUse;
import org.mailsync.SyncEngine;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.InstrumentedStore;

/** Stores and helpers the engine tests share. */
final class SyncFixture {
    static final Instant DATE = Instant.parse("2025-06-01T08:00:00Z");

    final InMemoryStore sourceData;
    final InMemoryStore targetData;
    final InstrumentedStore source;
    final InstrumentedStore target;
    final Path checkpoints;

    SyncFixture(Path dir) {
        this(dir, InMemoryStore.create("memory:source"), InMemoryStore.create("memory:target"));
    }

    SyncFixture(Path dir, InMemoryStore sourceData, InMemoryStore targetData) {
        this.sourceData = sourceData;
        this.targetData = targetData;
        this.source = new InstrumentedStore(sourceData);
        this.target = new InstrumentedStore(targetData);
        this.checkpoints = dir.resolve("checkpoints");
    }

    static InMemoryStore targetWithout(Capability... missing) {
        Set<Capability> caps = new java.util.HashSet<>(Set.of(Capability.values()));
        caps.removeAll(List.of(missing));
        caps.remove(Capability.BATCH_APPEND);
        return InMemoryStore.builder()
                .account("memory:limited")
                .capabilities(caps)
                .build();
    }

    SyncEngine.Builder engine() throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(FileCheckpointStore.in(checkpoints))
                .retries(2, Duration.ZERO);
    }

    static byte[] message(String subject, String body) {
        return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: " + subject
                        + "\r\nDate: Sun, 1 Jun 2025 10:00:00 +0200\r\nMessage-ID: <" + subject.replace(' ', '.')
                        + "@example.org>\r\n\r\n" + body + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static MessageUid put(MailStore store, FolderPath folder, byte[] bytes, Flags flags) throws Exception {
        if (!folder.isInbox()) {
            store.createFolder(folder);
        }
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(bytes)) {
            Optional<MessageUid> uid = f.append(new AppendRequest(raw, flags, DATE));
            return uid.orElseThrow();
        }
    }

    static void special(InMemoryStore store, FolderPath path, SpecialUse use) throws Exception {
        store.createFolder(path, use);
    }
}
