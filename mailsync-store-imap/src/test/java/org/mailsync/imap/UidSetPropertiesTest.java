package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.mailsync.MessageUid;

/** UID sets written by the store read back as the sorted distinct UIDs. */
class UidSetPropertiesTest {
    @Property
    void uidSetRoundTripsAsTheSortedDistinctUids(
            @ForAll @Size(max = 200) List<@LongRange(min = 1, max = 5000) Long> values) throws Exception {
        List<MessageUid> uids = values.stream().map(MessageUid::of).toList();
        String set = Commands.uidSet(uids);
        TreeSet<Long> expected = new TreeSet<>(values);
        if (expected.isEmpty()) {
            assertThat(set).isEmpty();
            return;
        }
        assertThat(Commands.parseUidSet(set, expected.size()))
                .extracting(MessageUid::value)
                .containsExactlyElementsOf(expected);
    }
}
