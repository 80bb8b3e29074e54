package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UidlistTest {
    private static Uidlist parse(String text) {
        return Uidlist.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsWhatDovecotWrites() {
        // Dovecot 2.3.19 after one save: the header's N is not updated by an appended line.
        Uidlist list = parse("3 V1795452374 N1 G70ca6211d46d046b761f000083ecc375\n"
                + "1 :1795452372.M334895P8058.vm,S=33,W=38\n"
                + "4 W120 :1795452399.M1P2.vm:2,S\n");
        assertThat(list.uidValidity()).isEqualTo(1795452374L);
        assertThat(list.nextUid()).isEqualTo(5);
        assertThat(list.uidOf("1795452372.M334895P8058.vm,S=33,W=38")).contains(1L);
        assertThat(list.uidOf("1795452399.M1P2.vm")).contains(4L);
        assertThat(list.records().get(4L).virtualSize()).hasValue(120);
    }

    @Test
    void theHeadersNextUidWinsWhenItIsHigher() {
        assertThat(parse("3 V7 N40 Gab\n1 :x\n").nextUid()).isEqualTo(40);
    }

    @Test
    void writesTheHeaderWithTheNextUidAndKeepsUnknownFields() {
        Uidlist list = parse("3 V7 N1 Gab Zfuture\n1 P123 :x\n").plus(List.of(new Uidlist.Record("y", "")));
        String text = new String(list.format(), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("3 V7 N3 Gab Zfuture\n1 P123 :x\n2 :y\n");
        assertThat(new String(list.formatFrom(2), StandardCharsets.UTF_8)).isEqualTo("2 :y\n");
        assertThat(parse(text).records()).isEqualTo(list.records());
    }

    @Test
    void droppingLinesKeepsTheNextUid() {
        Uidlist list =
                parse("3 V7 N1 Gab\n1 :x\n9 :y\n").retaining(r -> r.base().equals("x"));
        assertThat(list.records()).containsOnlyKeys(1L);
        assertThat(list.nextUid()).isEqualTo(10);
        assertThat(parse(new String(list.format(), StandardCharsets.UTF_8)).nextUid())
                .isEqualTo(10);
    }

    @Test
    void refusesOtherVersionsAndDamagedLines() {
        assertThatThrownBy(() -> parse("1 7 3\n1 x\n")).hasMessageContaining("version 3");
        assertThatThrownBy(() -> parse("3 N1 Gab\n")).hasMessageContaining("V");
        assertThatThrownBy(() -> parse("3 V7 N1\nx :y\n")).hasMessageContaining("uid");
        assertThatThrownBy(() -> parse("3 V7 N1\n1 y\n")).hasMessageContaining("1 y");
    }
}
