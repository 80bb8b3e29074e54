package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Files pieced together from the parts that confuse mbox readers (From lines good and bad,
 * Content-Lengths right and wrong, status headers, quoted From lines, CR, NUL and 8-bit bytes, no
 * final line end) never make the reader fail other than with "not an mbox": every listed message
 * reads back with exactly its listed size, and ids ascend.
 */
class MboxScannerFuzzTest {
    @Property(tries = 500)
    void anyFileIsReadConsistentlyOrRefusedAsNotMbox(
            @ForAll("files") byte[] content, @ForAll("formats") Optional<MboxFormat> forced) throws Exception {
        Path dir = Files.createTempDirectory("mbox-fuzz");
        try {
            Files.write(dir.resolve("f"), content);
            MboxStore.Builder builder = MboxStore.builder().root(dir);
            forced.ifPresent(builder::readFormat);
            try (MboxStore store = builder.build();
                    MailFolder f = store.openFolder(FolderPath.of("f"))) {
                List<MessageInfo> all = new ArrayList<>();
                try {
                    f.list(MessageQuery.all(), all::addAll);
                } catch (FolderUnusableException notMbox) {
                    assertThat(notMbox).hasMessageContaining("not an mbox");
                    return;
                }
                for (int i = 1; i < all.size(); i++) {
                    assertThat(all.get(i).uid()).isGreaterThan(all.get(i - 1).uid());
                }
                for (MessageInfo info : all) {
                    try (RawMessage raw = f.read(info.uid()).orElseThrow()) {
                        assertThat(raw.size()).isEqualTo(info.size());
                    }
                }
                assertThat(f.status().messageCount()).isEqualTo(all.size());
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Provide
    Arbitrary<Optional<MboxFormat>> formats() {
        return Arbitraries.of(MboxFormat.class).optional(0.5);
    }

    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of(
                        "From a@b Thu Feb 29 13:14:15 2024\n",
                        "From a@b Thu Feb 29 13:14:15 2024\r\n",
                        "From nobody\n",
                        "From \n",
                        "\n",
                        "\r\n",
                        "\r",
                        ">From x\n",
                        ">>From y\n",
                        "From: header@x\n",
                        "Subject: s\n",
                        " continued\n",
                        "Status: RO\n",
                        "X-Status: AFDT\n",
                        "X-Keywords: a b\n",
                        "X-Keywords: bad(word\n",
                        "X-UID: 3\n",
                        "X-UID: 99\n",
                        "X-IMAPbase: 12 0000000005 k\n",
                        "X-IMAP: 12 0000000009\n",
                        "X-Mozilla-Status: 0009\n",
                        "X-Mozilla-Status2: 00200000\n",
                        "Content-Length: 0\n",
                        "Content-Length: 5\n",
                        "Content-Length: 12\n",
                        "Content-Length: x\n",
                        "Date: Mon, 2 Mar 2026 10:00:00 +0100\n",
                        "body text\n",
                        "\0"),
                Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(12));
        return piece.list().ofMaxSize(40).map(pieces -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pieces.forEach(p -> out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1)));
            return out.toByteArray();
        });
    }
}
