package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * Issue 11: for arbitrary messages (the same generator as {@link
 * MboxEngineRoundTripPropertiesTest}: status-named header lines, {@code From } lines, no final line
 * end, 8-bit bytes), a Maildir → mbox → Maildir migration through the sync engine gives back every
 * message byte for byte with its flags, keywords and internal date.
 */
class MaildirMboxRoundTripPropertiesTest {
    @Property(tries = 40)
    void maildirToMboxToMaildirIsTheIdentity(
            @ForAll("mails") List<MboxEngineRoundTripPropertiesTest.Mail> mails,
            @ForAll MboxEngineRoundTripPropertiesTest.Target target)
            throws Exception {
        List<MboxEngineRoundTripPropertiesTest.Mail> input = target.eol == LineEnding.CRLF
                ? mails
                : mails.stream()
                        .map(MboxEngineRoundTripPropertiesTest::crlfOnly)
                        .toList();
        Path dir = Files.createTempDirectory("maildir-mbox");
        try {
            try (MaildirStore source =
                    MaildirStore.builder().root(dir.resolve("source")).build()) {
                try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                    for (MboxEngineRoundTripPropertiesTest.Mail m : input) {
                        inbox.append(new AppendRequest(RawMessage.of(m.bytes()), m.flags(), m.date()));
                    }
                }
                try (MboxStore mbox = MboxStore.builder()
                        .root(dir.resolve("mbox"))
                        .layout(target.layout)
                        .lineEnding(target.eol)
                        .build()) {
                    sync(source, mbox, dir.resolve("cp1"));
                }
            }
            try (MboxStore mbox = MboxStore.builder().root(dir.resolve("mbox")).build();
                    MaildirStore back =
                            MaildirStore.builder().root(dir.resolve("back")).build()) {
                sync(mbox, back, dir.resolve("cp2"));
                try (MailFolder inbox = back.openFolder(FolderPath.INBOX)) {
                    List<MessageInfo> infos = new ArrayList<>();
                    inbox.list(MessageQuery.all(), infos::addAll);
                    assertThat(infos).hasSize(input.size());
                    for (int i = 0; i < input.size(); i++) {
                        MboxEngineRoundTripPropertiesTest.Mail m = input.get(i);
                        MessageInfo info = infos.get(i);
                        try (RawMessage raw = inbox.read(info.uid()).orElseThrow()) {
                            assertThat(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1))
                                    .as("message %s", i)
                                    .isEqualTo(new String(m.bytes(), StandardCharsets.ISO_8859_1));
                        }
                        assertThat(info.flags()).as("flags of message %s", i).isEqualTo(m.flags());
                        assertThat(info.internalDate()).isEqualTo(m.date());
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void sync(MailStore from, MailStore to, Path checkpoints) throws Exception {
        SyncReport report = SyncEngine.builder()
                .source(from)
                .target(to)
                .checkpointDirectory(checkpoints)
                .build()
                .run();
        assertThat(report.verdict()).as(report.toText()).isEqualTo(SyncReport.Verdict.COMPLETE);
    }

    @Provide
    Arbitrary<List<MboxEngineRoundTripPropertiesTest.Mail>> mails() {
        return MboxEngineRoundTripPropertiesTest.mail().list().ofMinSize(1).ofMaxSize(5);
    }
}
