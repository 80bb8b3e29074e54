package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailsync demo}, the README's "run it" command, end to end. */
class DemoTest {
    @Test
    void demoMigratesTheSampleMailboxThenCopiesNothingOnTheSecondPassAndVerifiesClean(@TempDir Path home)
            throws Exception {
        CliRun run = CliRun.run(home, Map.of(), "demo");

        assertThat(run.code()).as(run.toString()).isEqualTo(0);
        assertThat(run.out())
                .contains("verdict: COMPLETE (180 copied")
                .contains("verdict: COMPLETE (0 copied")
                .contains("Gesendete Objekte -> Sent")
                .contains("Entwürfe -> Drafts")
                .contains("verify: OK")
                .contains("demo OK: first pass copied 180 messages");
    }

    @Test
    void demoTakesNoArguments(@TempDir Path home) throws Exception {
        CliRun run = CliRun.run(home, Map.of(), "demo", "extra");

        assertThat(run.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.err()).contains("demo takes no arguments");
    }
}
