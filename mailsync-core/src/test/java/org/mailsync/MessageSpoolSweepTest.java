package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.internal.ThisProcess;

/** Issue 12.14: spool files of killed runs must not stay in the temp directory for good. */
@Timeout(60)
class MessageSpoolSweepTest {
    @TempDir
    Path spoolDir;

    private static Path leftover(Path base, String host, long pid, long start) throws Exception {
        Path file = base.resolve("mailsync-spool-" + host + "-" + pid + "-" + start + "-1234567.eml");
        Files.write(file, new byte[100_000]);
        return file;
    }

    @Test
    void spoolingSweepsTheFilesOfDeadProcessesOnThisHostOnly() throws Exception {
        Process dead = new ProcessBuilder("sleep", "60").start();
        long deadStart = dead.info().startInstant().orElseThrow().toEpochMilli();
        dead.destroyForcibly(); // a run killed with -9: its files stay behind
        assertThat(dead.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Process alive = new ProcessBuilder("sleep", "60").start();
        try {
            long aliveStart = alive.info().startInstant().orElseThrow().toEpochMilli();
            String host = ThisProcess.host();
            Path ofDead = leftover(spoolDir, host, dead.pid(), deadStart);
            // This very pid, but recorded with another start time: an earlier process that had it.
            Path ofReusedPid = leftover(spoolDir, host, ProcessHandle.current().pid(), 1_000_000L);
            Path ofLive = leftover(spoolDir, host, alive.pid(), aliveStart);
            Path ofOtherHost = leftover(spoolDir, "another-host", dead.pid(), deadStart);
            Path notOurs = Files.write(spoolDir.resolve("mailsync-123.eml"), new byte[10]);

            MessageSpool spool = MessageSpool.of(1024, spoolDir);
            try (RawMessage big = spool.spool(new ByteArrayInputStream(new byte[10_000]))) {
                assertThat(big.inMemory()).isFalse();
                assertThat(ofDead).doesNotExist();
                assertThat(ofReusedPid).doesNotExist();
                assertThat(ofLive).exists();
                assertThat(ofOtherHost).exists();
                assertThat(notOurs).exists();

                String own = "mailsync-spool-" + host + "-"
                        + ProcessHandle.current().pid() + "-" + ThisProcess.startMillis() + "-";
                try (var files = Files.list(spoolDir)) {
                    Path file = files.filter(p -> p.getFileName().toString().startsWith(own))
                            .findFirst()
                            .orElseThrow();
                    assertThat(Files.size(file)).isEqualTo(10_000);
                    assertThat(PosixFilePermissions.toString(
                                    Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)))
                            .isEqualTo("rw-------");
                }
            }
        } finally {
            alive.destroyForcibly();
            alive.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
