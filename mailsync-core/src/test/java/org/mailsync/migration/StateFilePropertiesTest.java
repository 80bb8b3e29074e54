package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** The state file format keeps any text exactly: line breaks, backslashes, '=' and all. */
class StateFilePropertiesTest {
    @Property(tries = 300)
    void anyReasonAndAccountNameSurviveTheStateFile(
            @ForAll @StringLength(max = 40) String account, @ForAll String reason, @ForAll boolean flag)
            throws Exception {
        AccountState s = new AccountState(
                "u" + account,
                "example.org",
                "u" + account,
                flag ? MigrationStatus.FAILED : MigrationStatus.NOT_STARTED,
                reason,
                false,
                flag,
                !flag,
                flag,
                7,
                null,
                null,
                null,
                0,
                Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(FileMigrationStateStore.decode(Path.of("x.state"), FileMigrationStateStore.encode(s)))
                .isEqualTo(s);
    }
}
