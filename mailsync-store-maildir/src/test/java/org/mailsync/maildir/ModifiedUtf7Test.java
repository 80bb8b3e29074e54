package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ModifiedUtf7Test {
    @Test
    void encodesAsDovecotStoresFolderNames() {
        // Names as Dovecot 2.3 wrote them on disk.
        assertThat(ModifiedUtf7.encode("Entwürfe")).isEqualTo("Entw&APw-rfe");
        assertThat(ModifiedUtf7.encode("a&b")).isEqualTo("a&-b");
        // RFC 3501 5.1.3's example.
        assertThat(ModifiedUtf7.encode("~peter/mail/台北/日本語")).isEqualTo("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assertThat(ModifiedUtf7.encode("Gesendete Objekte")).isEqualTo("Gesendete Objekte");
    }

    @Test
    void refusesWhatIsNotModifiedUtf7() {
        assertThat(ModifiedUtf7.decode("Entwürfe")).isEmpty(); // raw 8-bit
        assertThat(ModifiedUtf7.decode("&APw")).isEmpty(); // unterminated shift
        assertThat(ModifiedUtf7.decode("&AGE-")).isEmpty(); // shifted printable ASCII
        assertThat(ModifiedUtf7.decode("&A-")).isEmpty(); // not whole UTF-16
        assertThat(ModifiedUtf7.decode("&-")).contains("&");
    }

    @Property
    void decodingUndoesEncoding(@ForAll("names") String name) {
        String encoded = ModifiedUtf7.encode(name);
        assertThat(encoded).matches("[\\x20-\\x7e]*");
        assertThat(ModifiedUtf7.decode(encoded)).contains(name);
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<Integer> codePoints = Arbitraries.oneOf(
                Arbitraries.integers().between(0x20, 0x7e),
                Arbitraries.integers().between(0xa0, 0xd7ff),
                Arbitraries.integers().between(0xe000, 0xfffd),
                Arbitraries.integers().between(0x10000, 0x10ffff));
        return codePoints.list().ofMaxSize(20).map(list -> {
            StringBuilder out = new StringBuilder();
            list.forEach(out::appendCodePoint);
            return out.toString();
        });
    }
}
