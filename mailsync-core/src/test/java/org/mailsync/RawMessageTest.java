package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawMessageTest {
    @TempDir
    Path tmp;

    @Test
    void smallMessageStaysInMemoryAndLargeOneGoesToAFileThatCloseDeletes() throws Exception {
        MessageSpool spool = MessageSpool.of(1024, tmp);
        byte[] small = new byte[1000];
        byte[] large = new byte[5000];
        new Random(1).nextBytes(large);
        try (RawMessage s = spool.spool(new ByteArrayInputStream(small))) {
            assertThat(s.inMemory()).isTrue();
            assertThat(s.toByteArray()).isEqualTo(small);
        }
        RawMessage l = spool.spool(new ByteArrayInputStream(large));
        assertThat(l.inMemory()).isFalse();
        assertThat(l.size()).isEqualTo(5000);
        assertThat(l.toByteArray()).isEqualTo(large);
        assertThat(Files.list(tmp).count()).isEqualTo(1);
        l.close();
        assertThat(Files.list(tmp).count()).isZero();
    }

    @Test
    void writerSpillsToAFilePastTheThreshold() throws Exception {
        MessageSpool spool = MessageSpool.of(100, tmp);
        byte[] data = new byte[350];
        new Random(2).nextBytes(data);
        MessageSpool.Writer writer = spool.newWriter();
        for (int i = 0; i < data.length; i += 50) {
            writer.write(data, i, 50);
        }
        try (RawMessage raw = writer.finish()) {
            assertThat(raw.inMemory()).isFalse();
            assertThat(raw.toByteArray()).isEqualTo(data);
        }
    }

    @Test
    void headerBlockEndsAtTheFirstEmptyLine() {
        byte[] msg = "A: 1\r\nB: two\r\n  folded\r\n\r\nbody\r\nC: no\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] block = org.mailsync.spi.support.Headers.readHeaderBlock(RawMessage.of(msg));
        assertThat(new String(block, StandardCharsets.US_ASCII)).isEqualTo("A: 1\r\nB: two\r\n  folded\r\n\r\n");
        assertThat(org.mailsync.spi.support.Headers.parse(block).get("b")).containsExactly("two  folded");
        assertThat(org.mailsync.spi.support.Headers.parse(block).containsKey("c"))
                .isFalse();
    }
}
