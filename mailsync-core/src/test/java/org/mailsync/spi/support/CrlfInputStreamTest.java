package org.mailsync.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CrlfInputStreamTest {
    @Test
    void turnsBareLineFeedsIntoCrlfAndLeavesTheRest() throws Exception {
        byte[] in = "a\nb\r\nc\rd\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(convert(in, 3)).isEqualTo("a\r\nb\r\nc\rd\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(CrlfInputStream.convertedSize(in, in.length, -1)).isEqualTo(13);
    }

    @Property
    void streamsWhatTheReferenceConversionGivesWhateverTheReadSizes(
            @ForAll("bytes") byte[] in, @ForAll @IntRange(min = 1, max = 40) int chunk) throws Exception {
        byte[] expected = reference(in);
        assertThat(convert(in, chunk)).isEqualTo(expected);
        assertThat(CrlfInputStream.convertedSize(in, in.length, -1)).isEqualTo(expected.length);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.of((byte) '\r', (byte) '\n', (byte) 'x', (byte) 0xff)
                .array(byte[].class)
                .ofMaxSize(200);
    }

    private static byte[] reference(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }

    private static byte[] convert(byte[] in, int chunk) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream s = new CrlfInputStream(new ByteArrayInputStream(in))) {
            byte[] buffer = new byte[chunk];
            int n;
            while ((n = s.read(buffer, 0, chunk)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
        return out.toByteArray();
    }
}
