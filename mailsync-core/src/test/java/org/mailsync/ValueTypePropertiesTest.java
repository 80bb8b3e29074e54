package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Round trips and invariants of the value types that every store and the engine share. */
class ValueTypePropertiesTest {
    @Provide
    Arbitrary<String> segments() {
        return Arbitraries.strings()
                .withCharRange(' ', '~')
                .withCharRange('\u00a0', '\u024f')
                .withChars('日', '本', '/', '.', '&')
                .ofMinLength(1)
                .ofMaxLength(12);
    }

    @Provide
    Arbitrary<String> keywords() {
        return Arbitraries.strings()
                .withCharRange('!', '~')
                .ofMinLength(1)
                .ofMaxLength(10)
                .filter(Flags::isValidKeyword);
    }

    @Property
    void folderPathJoinedThenParsedIsTheSamePath(
            @ForAll @Size(min = 1, max = 4) List<@From("segments") String> segments) {
        List<String> clean = segments.stream().map(s -> s.replace('|', '_')).toList();
        FolderPath path = FolderPath.of(clean);
        assertThat(FolderPath.parse(path.join('|'), '|')).isEqualTo(path);
        assertThat(path.segments()).hasSize(clean.size());
    }

    @Property
    void childAndParentAreInverse(
            @ForAll @Size(min = 1, max = 4) List<@From("segments") String> segments, @ForAll("segments") String name) {
        FolderPath path = FolderPath.of(segments);
        FolderPath child = path.child(name);
        assertThat(child.parent()).isEqualTo(path);
        assertThat(child.startsWith(path)).isTrue();
        assertThat(child.name()).isEqualTo(name);
    }

    @Property
    void controlCharactersInASegmentAreRefused(@ForAll("segments") String prefix, @ForAll char c) {
        if (c >= 0x20 && c != 0x7f) {
            return;
        }
        assertThatThrownBy(() -> FolderPath.of(prefix + c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.format("control character U+%04X", (int) c));
    }

    @Property
    void inboxIsRecognisedInAnyCase(@ForAll boolean upperI, @ForAll boolean upperB) {
        String name = (upperI ? "I" : "i") + "nBo" + (upperB ? "X" : "x");
        assertThat(FolderPath.of(name).isInbox()).isTrue();
        assertThat(FolderPath.of("Archive", name).isInbox()).isFalse();
    }

    @Property
    void flagsPrintedThenParsedAreTheSameFlags(
            @ForAll Set<Flag> system, @ForAll @Size(max = 5) Set<@From("keywords") String> keywords) {
        Flags flags = Flags.of(system.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(system), keywords);
        assertThat(Flags.parse(flags.toString())).isEqualTo(flags);
        assertThat(Flags.parse("(" + flags + ")")).isEqualTo(flags);
    }

    @Property
    void plusThenMinusRemovesExactlyWhatWasAdded(@ForAll Set<Flag> a, @ForAll Set<Flag> b) {
        Flags fa = Flags.of(a, Set.of("$A"));
        Flags fb = Flags.of(b, Set.of("$B"));
        Flags sum = fa.plus(fb);
        assertThat(sum.system()).containsAll(a).containsAll(b);
        for (Flag flag : b) {
            assertThat(sum.minus(fb).contains(flag)).isFalse();
        }
        assertThat(sum.minus(fb).keywords()).containsExactly("$A");
    }

    @Property
    void keywordsWithAtomSpecialsAreRefused(@ForAll("keywords") String keyword, @ForAll("specials") char special) {
        assertThatThrownBy(() -> Flags.of(Set.of(), Set.of(keyword + special)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<Character> specials() {
        return Arbitraries.of('(', ')', '{', '%', '*', '"', '\\', ']', ' ');
    }

    @Property
    void unknownSystemFlagIsRefusedNotDropped(@ForAll("keywords") String word) {
        assertThatThrownBy(() -> Flags.parse("\\Seen \\X" + word)).isInstanceOf(IllegalArgumentException.class);
    }
}
