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

    @Test
    void aWrappedSliceIsExactlyItsBytesThroughEveryWayOfReadingIt() throws Exception {
        byte[] array = "xxFrom: a\r\n\r\nbody\r\nyyy".getBytes(StandardCharsets.US_ASCII);
        byte[] message = "From: a\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawMessage raw = RawMessage.wrap(array, 2, message.length)) {
            assertThat(raw.size()).isEqualTo(message.length);
            assertThat(raw.inMemory()).isTrue();
            assertThat(raw.toByteArray()).isEqualTo(message);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            raw.writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(message);
            try (java.io.InputStream in = raw.openStream()) {
                assertThat(in.read()).isEqualTo('F');
                assertThat(in.available()).isEqualTo(message.length - 1);
                in.mark(0);
                assertThat(in.skip(6)).isEqualTo(6);
                byte[] two = new byte[2];
                assertThat(in.read(two, 0, 2)).isEqualTo(2);
                assertThat(new String(two, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
                in.reset();
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(message, 1, message.length));
                assertThat(in.read()).isEqualTo(-1);
                assertThat(in.read(two, 0, 2)).isEqualTo(-1);
                assertThat(in.read(two, 0, 0)).isZero();
            }
            try (java.io.InputStream in = raw.openStream()) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                assertThat(in.transferTo(all)).isEqualTo(message.length);
                assertThat(all.toByteArray()).isEqualTo(message);
            }
            byte[] block = org.mailsync.spi.support.Headers.readHeaderBlock(raw);
            assertThat(new String(block, StandardCharsets.US_ASCII)).isEqualTo("From: a\r\n\r\n");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawMessage.wrap(array, 20, 10))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aHeaderBlockLongerThanTheFirstBufferIsReadWholeAndOneAtTheBoundStops() throws Exception {
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            header.append("X-Line-").append(i).append(": some value\r\n");
        }
        byte[] msg = (header + "\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] block = org.mailsync.spi.support.Headers.readHeaderBlock(RawMessage.of(msg));
        assertThat(new String(block, StandardCharsets.US_ASCII)).isEqualTo(header + "\r\n");
        assertThat(org.mailsync.spi.support.Headers.parse(block).get("x-line-399"))
                .containsExactly("some value");

        int max = org.mailsync.spi.support.Headers.MAX_HEADER_BYTES;
        byte[] endless = new byte[max + 1000];
        java.util.Arrays.fill(endless, (byte) 'a');
        java.io.InputStream in = new ByteArrayInputStream(endless);
        assertThat(org.mailsync.spi.support.Headers.readHeaderBlock(in)).hasSize(max);
        assertThat(in.available()).as("nothing read past the bound").isEqualTo(1000);
    }
}
