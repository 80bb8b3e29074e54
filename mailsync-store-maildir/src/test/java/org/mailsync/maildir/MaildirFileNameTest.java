package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaildirFileNameTest {
    @Test
    void readsSizesFlagsAndTheRawMark() {
        MaildirFileName dovecot = MaildirFileName.parse("1795452372.M334895P8058.vm,S=33,W=38:2,Sab");
        assertThat(dovecot.base()).isEqualTo("1795452372.M334895P8058.vm,S=33,W=38");
        assertThat(dovecot.physicalSize()).hasValue(33);
        assertThat(dovecot.virtualSize()).hasValue(38);
        assertThat(dovecot.flagLetters()).isEqualTo("Sab");
        assertThat(dovecot.raw()).isFalse();
        MaildirFileName ours = MaildirFileName.parse("1.M2P3Q4.host,S=10,W=12,X=raw");
        assertThat(ours.raw()).isTrue();
        assertThat(ours.virtualSize()).hasValue(12);
        assertThat(ours.flagLetters()).isEmpty();
        MaildirFileName postfix = MaildirFileName.parse("1700000000.V801I1234M567.host");
        assertThat(postfix.physicalSize()).isEmpty();
        assertThat(postfix.virtualSize()).isEmpty();
    }

    @Test
    void writesFlagLettersSorted() {
        assertThat(MaildirFileName.parse("b,S=1:2,S").withFlagLetters("cTaPF").toString())
                .isEqualTo("b,S=1:2,FPTac");
        assertThat(MaildirFileName.parse("b:1,experimental").flagLetters()).isEmpty();
    }
}
