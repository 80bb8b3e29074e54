package org.mailsync.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.mailsync.Flag;

class MaildirFlagsTest {
    @Test
    void theLettersAreTheMaildirOnes() {
        assertThat(MaildirFlags.letter(Flag.DRAFT)).isEqualTo('D');
        assertThat(MaildirFlags.letter(Flag.FLAGGED)).isEqualTo('F');
        assertThat(MaildirFlags.letter(Flag.ANSWERED)).isEqualTo('R');
        assertThat(MaildirFlags.letter(Flag.SEEN)).isEqualTo('S');
        assertThat(MaildirFlags.letter(Flag.DELETED)).isEqualTo('T');
        assertThat(MaildirFlags.letters(EnumSet.allOf(Flag.class))).isEqualTo("DFRST");
    }

    @Test
    void passedAndKeywordLettersAreNoSystemFlag() {
        assertThat(MaildirFlags.flag('P')).isEmpty();
        assertThat(MaildirFlags.flag('a')).isEmpty();
        assertThat(MaildirFlags.flag('s')).isEmpty();
    }

    @Property
    void lettersReadBackAsTheFlagsInAsciiOrder(@ForAll Set<Flag> flags) {
        String letters = MaildirFlags.letters(flags);
        Set<Flag> back = EnumSet.noneOf(Flag.class);
        for (char c : letters.toCharArray()) {
            back.add(MaildirFlags.flag(c).orElseThrow());
            assertThat(MaildirFlags.letter(MaildirFlags.flag(c).orElseThrow())).isEqualTo(c);
        }
        assertThat(back).isEqualTo(flags);
        assertThat(letters.chars().sorted().toArray()).isEqualTo(letters.chars().toArray());
    }
}
