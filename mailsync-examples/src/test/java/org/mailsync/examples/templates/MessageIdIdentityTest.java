package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.IdentityStrategies;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;

/** The custom identity template recognises a message whose copy on the target gained a header. */
class MessageIdIdentityTest {
    private static final byte[] ORIGINAL = MemoryMailboxes.message(1, true);
    private static final byte[] IMPORTED = ("X-Imported-From: old provider\r\n"
                    + new String(MemoryMailboxes.message(1, true), StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);

    private static SyncReport sync(SyncEngine.Builder builder, Path state) throws Exception {
        InMemoryStore source = InMemoryStore.create("old");
        InMemoryStore target = InMemoryStore.create("new");
        MemoryMailboxes.append(source, FolderPath.INBOX, ORIGINAL);
        MemoryMailboxes.append(target, FolderPath.INBOX, IMPORTED);
        return builder.source(source)
                .target(target)
                .checkpointDirectory(state)
                .build()
                .run();
    }

    @Test
    void aMessageAlreadyImportedWithAnExtraHeaderIsNotCopiedAgain(@TempDir Path dir) throws Exception {
        SyncReport custom = sync(SyncEngine.builder().identity(new MessageIdIdentity()), dir.resolve("a"));
        SyncReport fingerprint =
                sync(SyncEngine.builder().identity(IdentityStrategies.headerFingerprint()), dir.resolve("b"));

        assertThat(custom.copied()).isZero();
        assertThat(custom.alreadyPresent()).isEqualTo(1);
        // The default fingerprint includes the size, which the extra header changed.
        assertThat(fingerprint.copied()).isEqualTo(1);
    }

    @Test
    void messagesWithoutMessageIdGetDistinctStableKeys() throws Exception {
        MessageInfo info = MessageInfo.of(MessageUid.of(1), 100, Flags.NONE, Instant.EPOCH);
        MessageIdIdentity identity = new MessageIdIdentity();

        String a = identity.key(info, new ByteArrayInputStream(MemoryMailboxes.message(7, false)));
        String again = identity.key(info, new ByteArrayInputStream(MemoryMailboxes.message(7, false)));
        String b = identity.key(info, new ByteArrayInputStream(MemoryMailboxes.message(8, false)));
        String folded = identity.key(
                info,
                new ByteArrayInputStream(
                        "Message-ID:\r\n <1@EXAMPLE.org>\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        String plain = identity.key(
                info,
                new ByteArrayInputStream("message-id: <1@example.org>\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

        assertThat(a).isEqualTo(again).isNotEqualTo(b).doesNotContain(" ");
        assertThat(folded).isEqualTo(plain);
    }
}
