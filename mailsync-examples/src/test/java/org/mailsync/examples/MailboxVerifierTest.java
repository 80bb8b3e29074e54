package org.mailsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.MessageSelection;
import org.mailsync.RawMessage;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/** The verifier tells apart missing, duplicated, changed, re-flagged and re-dated messages. */
class MailboxVerifierTest {
    private static final Instant DATE = Instant.parse("2024-06-01T12:00:00Z");

    private static byte[] message(String id, String body) {
        return ("Message-ID: <" + id + "@example.org>\r\nSubject: " + id + "\r\n\r\n" + body + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void append(InMemoryStore store, byte[] bytes, Flags flags, Instant date) throws Exception {
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(bytes)) {
            inbox.append(new AppendRequest(raw, flags, date));
        }
    }

    private static VerifyReport.FolderComparison verify(InMemoryStore source, InMemoryStore target) throws Exception {
        VerifyReport report = MailboxVerifier.verify(source, target, FolderMapping.defaults(), MessageSelection.all());
        assertThat(report.folders()).hasSize(1);
        return report.folders().get(0);
    }

    @Test
    void anIdenticalCopyIsClean() throws Exception {
        InMemoryStore source = InMemoryStore.create("old");
        InMemoryStore target = InMemoryStore.create("new");
        for (InMemoryStore s : List.of(source, target)) {
            append(s, message("a", "1"), Flags.of(Flag.SEEN), DATE);
            append(s, message("a", "1"), Flags.of(Flag.SEEN), DATE); // two equal messages are two
        }

        VerifyReport.FolderComparison result = verify(source, target);

        assertThat(result.clean()).isTrue();
        assertThat(result.sourceMessages()).isEqualTo(2);
    }

    @Test
    void eachKindOfDifferenceIsCountedApart() throws Exception {
        InMemoryStore source = InMemoryStore.create("old");
        InMemoryStore target = InMemoryStore.create("new");
        append(source, message("missing", "1"), Flags.NONE, DATE);
        append(source, message("twice", "2"), Flags.NONE, DATE);
        append(target, message("twice", "2"), Flags.NONE, DATE);
        append(target, message("twice", "2"), Flags.NONE, DATE);
        append(source, message("changed", "3"), Flags.NONE, DATE);
        append(target, message("changed", "3 and more"), Flags.NONE, DATE);
        append(source, message("flags", "4"), Flags.of(Flag.SEEN, Flag.FLAGGED), DATE);
        append(target, message("flags", "4"), Flags.of(Flag.SEEN), DATE);
        append(source, message("date", "5"), Flags.NONE, DATE);
        append(target, message("date", "5"), Flags.NONE, DATE.plusSeconds(3600));
        append(target, message("own", "6"), Flags.NONE, DATE);

        VerifyReport.FolderComparison result = verify(source, target);

        assertThat(result.missing()).isEqualTo(1);
        assertThat(result.duplicated()).isEqualTo(1);
        assertThat(result.bytesDiffer()).isEqualTo(1);
        assertThat(result.flagsDiffer()).isEqualTo(1);
        assertThat(result.datesDiffer()).isEqualTo(1);
        assertThat(result.extra()).isEqualTo(1);
        assertThat(result.clean()).isFalse();
        assertThat(new VerifyReport(com.google.common.collect.ImmutableList.of(result)).toText())
                .contains("is missing", "second copy", "bytes differ", "flags", "internal date", "DIFFERENCES");
    }

    @Test
    void aFolderMissingOnTheTargetCountsAllItsMessagesMissing() throws Exception {
        InMemoryStore source = InMemoryStore.create("old");
        append(source, message("a", "1"), Flags.NONE, DATE);

        VerifyReport.FolderComparison result = verify(source, InMemoryStore.create("new"));

        assertThat(result.missing()).isEqualTo(1);
    }
}
