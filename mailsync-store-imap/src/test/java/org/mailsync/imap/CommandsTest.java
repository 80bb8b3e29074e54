package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.junit.jupiter.api.Test;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.MessageUid;
import org.mailsync.spi.support.PinningTrustManager;

/** IMAP syntax: UID sets, dates, flag lists, fingerprints. */
class CommandsTest {
    @Test
    void uidSetIsCompact() {
        assertThat(Commands.uidSet(List.of(
                        MessageUid.of(4), MessageUid.of(1), MessageUid.of(2), MessageUid.of(3), MessageUid.of(9))))
                .isEqualTo("1:4,9");
    }

    @Test
    void appendUidSetMayRunHighToLow() throws Exception {
        assertThat(Commands.parseUidSet("7:5,9", 4))
                .extracting(MessageUid::value)
                .containsExactly(5L, 6L, 7L, 9L);
    }

    @Test
    void vanishedEarlierAndPlainVanishedGiveTheirUids() throws Exception {
        assertThat(Commands.vanished(new IMAPResponse("* VANISHED (EARLIER) 3:5,9"), 100))
                .extracting(MessageUid::value)
                .containsExactly(3L, 4L, 5L, 9L);
        assertThat(Commands.vanished(new IMAPResponse("* VANISHED 7"), 100))
                .extracting(MessageUid::value)
                .containsExactly(7L);
        assertThat(Commands.vanished(new IMAPResponse("* 3 FETCH (UID 12 MODSEQ (40))"), 100))
                .isEmpty();
        assertThat(Commands.vanished(new IMAPResponse("* 2 EXPUNGE"), 100)).isEmpty();
    }

    @Test
    void internalDateIsWrittenInUtcAsRfc3501Wants() {
        assertThat(Commands.internalDate(Instant.parse("2024-02-29T13:14:15Z")))
                .isEqualTo("29-Feb-2024 13:14:15 +0000");
        assertThat(Commands.internalDate(Instant.parse("2024-03-01T01:02:03Z")))
                .isEqualTo("01-Mar-2024 01:02:03 +0000");
    }

    @Test
    void flagListHoldsSystemFlagsAndKeywords() {
        assertThat(Commands.flagList(Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded"))))
                .isEqualTo("(\\Seen $Forwarded)");
        assertThat(Commands.flagList(Flags.NONE)).isEqualTo("()");
    }

    @Test
    void fingerprintsAreAcceptedInTheUsualSpellings() {
        String hex = "4A1FA9222FBBF9607D74BE885A476688A9961063BC88FE8A4DF30DC1137C6D93";
        String colons = hex.replaceAll("(..)(?!$)", "$1:");
        assertThat(PinningTrustManager.normalizeFingerprint(colons)).isEqualTo(hex);
        assertThat(PinningTrustManager.normalizeFingerprint(hex.toLowerCase(java.util.Locale.ROOT)))
                .isEqualTo(hex);
        assertThat(PinningTrustManager.normalizeFingerprint("SHA256:" + colons)).isEqualTo(hex);
    }
}
