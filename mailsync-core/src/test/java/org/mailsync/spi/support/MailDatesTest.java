package org.mailsync.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Dates as real mail writes them, read as lenient mail readers read them. */
class MailDatesTest {
    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void readsTheRfc5322Form() {
        assertThat(MailDates.parse("Tue, 1 Jul 2003 10:52:37 +0200")).contains(at("2003-07-01T08:52:37Z"));
        assertThat(MailDates.parseDetailed("Tue, 1 Jul 2003 10:52:37 +0200")
                        .orElseThrow()
                        .zoneAssumed())
                .isFalse();
    }

    @Test
    void ignoresAWeekdayThatDoesNotMatchTheDate() {
        // 1 July 2003 was a Tuesday.
        assertThat(MailDates.parse("Fri, 1 Jul 2003 10:52:37 +0200")).contains(at("2003-07-01T08:52:37Z"));
        assertThat(MailDates.parse("Thursday, 01 Jul 2003 10:52:37 +0200")).contains(at("2003-07-01T08:52:37Z"));
    }

    @Test
    void readsObsoleteZones() {
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 UT")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 GMT")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 EST")).contains(at("2003-07-01T15:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 EDT")).contains(at("2003-07-01T14:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 CST")).contains(at("2003-07-01T16:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 CDT")).contains(at("2003-07-01T15:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 MST")).contains(at("2003-07-01T17:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 MDT")).contains(at("2003-07-01T16:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 PST")).contains(at("2003-07-01T18:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 pdt")).contains(at("2003-07-01T17:52:37Z"));
    }

    @Test
    void readsMilitaryZonesAsMinusZero() {
        // RFC 5322 4.3: their signs were defined backwards in RFC 822, so they mean "-0000".
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 A")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 Z")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 Y")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parseDetailed("1 Jul 2003 10:52:37 N")
                        .orElseThrow()
                        .zoneAssumed())
                .isFalse();
    }

    @Test
    void readsTwoAndThreeDigitYearsAsRfc5322Says() {
        assertThat(MailDates.parse("1 Jul 03 10:52:37 +0000")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 49 10:52:37 +0000")).contains(at("2049-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 50 10:52:37 +0000")).contains(at("1950-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 99 10:52:37 +0000")).contains(at("1999-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 103 10:52:37 +0000")).contains(at("2003-07-01T10:52:37Z"));
    }

    @Test
    void readsMissingSecondsCommentsAndExtraWhiteSpace() {
        assertThat(MailDates.parse("Tue, 1 Jul 2003 10:52 +0200")).contains(at("2003-07-01T08:52:00Z"));
        assertThat(MailDates.parse("  Tue ,  1   Jul\t2003  10 : 52 : 37   +0200   (CEST)  "))
                .contains(at("2003-07-01T08:52:37Z"));
        assertThat(MailDates.parse("(sent (nested \\) comment)) Tue, 1 Jul 2003 10:52:37 (x) +0200"))
                .contains(at("2003-07-01T08:52:37Z"));
        assertThat(MailDates.parse("Tue,1 Jul 2003 10:52:37 +0200")).contains(at("2003-07-01T08:52:37Z"));
        assertThat(MailDates.parse("Tue, 1 Jul 2003\r\n 10:52:37 +0200")).contains(at("2003-07-01T08:52:37Z"));
    }

    @Test
    void readsAsctimeOrderAndZoneNamesAfterOffsets() {
        assertThat(MailDates.parse("Tue Jul  1 10:52:37 2003")).contains(at("2003-07-01T10:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 +0200 CEST")).contains(at("2003-07-01T08:52:37Z"));
        assertThat(MailDates.parse("1 Jul 2003 10:52:37 GMT+0200")).contains(at("2003-07-01T08:52:37Z"));
    }

    @Test
    void aMissingOrUnknownZoneIsReadAsUtcAndSaysSo() {
        MailDates.Parsed none =
                MailDates.parseDetailed("Tue, 1 Jul 2003 10:52:37").orElseThrow();
        assertThat(none.instant()).isEqualTo(at("2003-07-01T10:52:37Z"));
        assertThat(none.zoneAssumed()).isTrue();
        MailDates.Parsed unknown =
                MailDates.parseDetailed("Tue, 1 Jul 2003 10:52:37 CEST").orElseThrow();
        assertThat(unknown.instant()).isEqualTo(at("2003-07-01T10:52:37Z"));
        assertThat(unknown.zoneAssumed()).isTrue();
    }

    @Test
    void whatNamesNoDateIsEmpty() {
        assertThat(MailDates.parse("")).isEmpty();
        assertThat(MailDates.parse("yesterday")).isEmpty();
        assertThat(MailDates.parse("31 Feb 2003 10:00:00 +0000")).isEmpty();
        assertThat(MailDates.parse("1 Jul 2003 25:00:00 +0000")).isEmpty();
        assertThat(MailDates.parse("1 Jul 2003 +0000")).isEmpty();
        assertThat(MailDates.parse("1 2003 10:00:00 +0000")).isEmpty();
        assertThat(MailDates.parse("Tue, 1 Jul 2003 10:52:37 +0200".repeat(50))).isEmpty();
    }

    // ---- properties

    @Property(tries = 500)
    void anyInstantWrittenInAnyAcceptedFormIsReadBack(@ForAll("dates") ZonedDateTime date, @ForAll("forms") Form form) {
        String text = form.write(date);
        assertThat(MailDates.parse(text)).as(text).contains(date.toInstant());
    }

    @Property(tries = 500)
    void neverThrows(@ForAll("noise") String value) {
        Optional<Instant> ignored = MailDates.parse(value);
        assertThat(ignored).isNotNull();
    }

    /** How a date is written; each form must read back as the same instant. */
    enum Form {
        STANDARD,
        NO_WEEKDAY,
        WRONG_WEEKDAY,
        COMMENTS_AND_SPACES,
        TWO_DIGIT_YEAR,
        NO_SECONDS,
        OBSOLETE_ZONE_OR_UT;

        String write(ZonedDateTime d) {
            String month = d.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT);
            String zone = DateTimeFormatter.ofPattern("xx", Locale.ROOT).format(d);
            String time = String.format(Locale.ROOT, "%02d:%02d:%02d", d.getHour(), d.getMinute(), d.getSecond());
            String weekday = d.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT);
            String date = d.getDayOfMonth() + " " + month + " " + d.getYear();
            return switch (this) {
                case STANDARD -> weekday + ", " + date + " " + time + " " + zone;
                case NO_WEEKDAY -> date + " " + time + " " + zone;
                case WRONG_WEEKDAY -> d.getDayOfWeek().plus(3).getDisplayName(TextStyle.FULL, Locale.ROOT) + ", " + date
                        + " " + time + " " + zone;
                case COMMENTS_AND_SPACES -> "  " + weekday + " ,\t" + d.getDayOfMonth() + "  (day) " + month + "  "
                        + d.getYear() + " " + time.replace(":", " : ") + "  " + zone + " (local (time))";
                case TWO_DIGIT_YEAR -> {
                    // Only years 1950-2049 can be written with two digits.
                    if (d.getYear() < 1950 || d.getYear() > 2049) {
                        yield date + " " + time + " " + zone;
                    }
                    yield d.getDayOfMonth() + " " + month + " " + String.format(Locale.ROOT, "%02d", d.getYear() % 100)
                            + " " + time + " " + zone;
                }
                case NO_SECONDS -> date + " "
                        + (d.getSecond() == 0
                                ? String.format(Locale.ROOT, "%02d:%02d", d.getHour(), d.getMinute())
                                : time)
                        + " " + zone;
                case OBSOLETE_ZONE_OR_UT -> date + " " + time + " " + obsoleteName(d.getOffset());
            };
        }

        /** The obsolete name of an offset where it has one (UT, EST ... PDT), else the numeric form. */
        private static String obsoleteName(ZoneOffset offset) {
            int hours = offset.getTotalSeconds() / 3600;
            if (offset.getTotalSeconds() % 3600 != 0) {
                return DateTimeFormatter.ofPattern("xx", Locale.ROOT).format(offset);
            }
            return switch (hours) {
                case 0 -> "UT";
                case -4 -> "EDT";
                case -5 -> "EST";
                case -6 -> "CST";
                case -7 -> "PDT";
                case -8 -> "PST";
                default -> DateTimeFormatter.ofPattern("xx", Locale.ROOT).format(offset);
            };
        }
    }

    @Provide
    Arbitrary<ZonedDateTime> dates() {
        Arbitrary<Long> seconds = Arbitraries.longs()
                .between(
                        Instant.parse("1900-01-01T00:00:00Z").getEpochSecond(),
                        Instant.parse("2099-12-31T00:00:00Z").getEpochSecond());
        Arbitrary<ZoneOffset> offsets =
                Arbitraries.integers().between(-14 * 4, 14 * 4).map(q -> ZoneOffset.ofTotalSeconds(q * 15 * 60));
        Arbitrary<Boolean> wholeMinute = Arbitraries.of(true, false);
        return Combinators.combine(seconds, offsets, wholeMinute)
                .as((s, o, whole) -> Instant.ofEpochSecond(whole ? s - Math.floorMod(s, 60) : s)
                        .atZone(o));
    }

    @Provide
    Arbitrary<Form> forms() {
        return Arbitraries.of(Form.class);
    }

    @Provide
    Arbitrary<String> noise() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of(
                        "Mon",
                        ",",
                        " ",
                        "(",
                        ")",
                        "\\",
                        ":",
                        "+",
                        "-",
                        "Jul",
                        "GMT",
                        "1",
                        "99",
                        "2003",
                        "10:52",
                        "10:52:37",
                        "+0200",
                        "A",
                        "\t",
                        "\r\n",
                        "."),
                Arbitraries.strings().ofMaxLength(6));
        return pieces.list().ofMaxSize(15).map(l -> String.join("", l));
    }

    @Test
    void weekdaysAreIgnoredWhateverTheyAre() {
        for (DayOfWeek day : DayOfWeek.values()) {
            String name = day.getDisplayName(TextStyle.SHORT, Locale.ROOT);
            assertThat(MailDates.parse(name + ", 1 Jul 2003 10:52:37 +0000")).contains(at("2003-07-01T10:52:37Z"));
        }
    }
}
