package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.internal.TestFolders.list;
import static org.mailsync.internal.TestFolders.put;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailsync.FolderPath;
import org.mailsync.IdentityStrategies;
import org.mailsync.IdentityStrategy;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

class IdentityMatcherTest {

    private final InMemoryStore sourceStore = InMemoryStore.create("memory:source");
    private final InMemoryStore targetStore = InMemoryStore.create("memory:target");
    private MailFolder source;
    private MailFolder target;

    @BeforeEach
    void open() throws Exception {
        source = sourceStore.openFolder(FolderPath.INBOX);
        target = targetStore.openFolder(FolderPath.INBOX);
    }

    @AfterEach
    void close() throws Exception {
        source.close();
        target.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private IdentityMatcher matcher(IdentityStrategy strategy) {
        return new IdentityMatcher(strategy, source, "memory:source", target, "memory:target");
    }

    @Test
    void theRelaxedKeyIgnoresTheRewritesServersMakeAndNothingElse() {
        String key = IdentityMatcher.relaxedKey(bytes("Subject: Gr\u00fc\u00dfe\r\nFrom: a@b\r\n\r\n"));
        assertThat(IdentityMatcher.relaxedKey(bytes("Subject: GrXXe\nFrom: a@b\n")))
                .isEqualTo(key);
        assertThat(IdentityMatcher.relaxedKey(bytes("Subject: Gr\u00fc\u00dfe\r\nFrom: a@b \t\r\n")))
                .isEqualTo(key);
        assertThat(IdentityMatcher.relaxedKey(bytes("Subject: Grue\r\nFrom: a@b\r\n")))
                .isNotEqualTo(key);
        assertThat(IdentityMatcher.relaxedKey(bytes("\r\n \t"))).isNull();
        assertThat(key).startsWith("r").hasSize(33);
    }

    @Test
    void aMessageTheTargetRewroteIsMatchedByTheSecondTierWithinTwoBytes() throws Exception {
        MessageUid s1 = put(source, bytes("Subject: Gr\u00fc\u00dfe\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n"));
        MessageUid s2 = put(source, bytes("Subject: other\r\nMessage-ID: <2@x>\r\n\r\nbody\r\n"));
        // The first stored with X for the 8-bit bytes and a CRLF added; the second grown by 3 bytes.
        MessageUid t1 = put(target, bytes("Subject: GrXXe\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n\r\n"));
        put(target, bytes("Subject: other\r\nMessage-ID: <2@x>\r\n\r\nbody!!!\r\n"));

        Map<MessageUid, MessageInfo> matched =
                matcher(IdentityStrategies.headerFingerprint()).matchRelaxed(list(source), list(target));

        assertThat(matched).containsOnlyKeys(s1);
        assertThat(matched.get(s1).uid()).isEqualTo(t1);
        assertThat(matched).doesNotContainKey(s2);
        assertThat(matcher(IdentityStrategies.headerFingerprint()).matchRelaxed(List.of(), list(target)))
                .isEmpty();
    }

    @Test
    void unpairedTargetsAreIndexedByStrictKeyLowestIdFirstAndPairedOnesLeftOut() throws Exception {
        byte[] same = bytes("Subject: twice\r\nMessage-ID: <t@x>\r\n\r\nbody\r\n");
        MessageUid a = put(target, same);
        MessageUid b = put(target, same);
        MessageUid c = put(target, same);
        MessageUid s = put(source, same);
        IdentityMatcher m = matcher(IdentityStrategies.headerFingerprint());

        IdentityMatcher.TargetIndex index = m.unpairedTargets(MessageQuery.all(), Set.of(b)::contains);

        String key = m.keys(source, list(source)).get(s);
        assertThat(index.byKey().get(key)).containsExactly(a, c);
        assertThat(index.infos()).extracting(MessageInfo::uid).containsExactly(a, c);
        // Strict keys are the same on both sides for an unaltered copy.
        assertThat(m.keys(target, list(target)).values()).containsOnly(key);
    }

    @Test
    void aStrategyGivingAKeyWithWhiteSpaceIsAProgrammerError() throws Exception {
        put(source, bytes("Subject: x\r\n\r\nbody\r\n"));
        IdentityStrategy bad = new IdentityStrategy() {
            @Override
            public boolean needsFullContent() {
                return false;
            }

            @Override
            public String key(MessageInfo info, java.io.InputStream data) {
                return "two words";
            }

            @Override
            public String toString() {
                return "bad";
            }
        };
        assertThatThrownBy(() -> matcher(bad).keys(source, list(source)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("identity strategy bad gave an invalid key: 'two words'");
    }
}
