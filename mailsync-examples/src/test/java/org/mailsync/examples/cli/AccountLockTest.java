package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run per target account: a second run into the same mailbox, from another thread or another
 * process and with another checkpoint directory, fails fast with exit 7.
 */
@Timeout(120)
class AccountLockTest {
    @TempDir
    Path home;

    String source;
    String target;

    @BeforeEach
    void maildirs() throws Exception {
        Path root = home.resolve("source");
        for (String d : List.of("cur", "new", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(
                root.resolve("cur/1700000000.1.host:2,S"),
                "Message-ID: <1@example.org>\r\nSubject: one\r\n\r\nHello\r\n",
                StandardCharsets.US_ASCII);
        source = "maildir:" + root;
        target = "maildir:" + home.resolve("target");
    }

    private CliRun migrate(String checkpoints) throws InterruptedException {
        return CliRun.run(
                home,
                Map.of(),
                "migrate",
                source,
                target,
                "--checkpoints",
                home.resolve(checkpoints).toString());
    }

    @Test
    void aSecondRunInThisProcessOnTheSameTargetIsBusyWhateverItsCheckpoints() throws Exception {
        String canonical = StoreSpec.parse(target).canonical();
        AccountLock held = AccountLock.tryAcquire(home, canonical).orElseThrow();
        try {
            assertThat(AccountLock.tryAcquire(home, canonical)).isEmpty();

            CliRun busy = migrate("cp-b");

            assertThat(busy.code()).as(busy.toString()).isEqualTo(ExitCode.BUSY.code);
            assertThat(busy.err()).contains("busy: another run is writing into " + canonical);
            assertThat(home.resolve("target/cur")).doesNotExist(); // nothing was written
        } finally {
            held.close();
        }
        CliRun after = migrate("cp-b");
        assertThat(after.code()).as(after.toString()).isEqualTo(ExitCode.OK.code);
    }

    @Test
    void aRunInAnotherProcessHoldsTheTargetUntilItEnds() throws Exception {
        String canonical = StoreSpec.parse(target).canonical();
        Process holder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolder.class.getName(),
                        home.toString(),
                        canonical)
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("locked");

            long start = System.nanoTime();
            CliRun busy = migrate("cp-other");
            assertThat(busy.code()).as(busy.toString()).isEqualTo(ExitCode.BUSY.code);
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10)); // fast
        } finally {
            holder.destroyForcibly().waitFor();
        }
        // The OS released the dead process's lock: no stale lock to clean up.
        CliRun after = migrate("cp-other");
        assertThat(after.code()).as(after.toString()).isEqualTo(ExitCode.OK.code);
    }

    /** Takes an account lock in a process of its own and holds it until killed. */
    public static final class LockHolder {
        private LockHolder() {}

        public static void main(String[] args) throws Exception {
            AccountLock lock = AccountLock.tryAcquire(Path.of(args[0]), args[1]).orElseThrow();
            try {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            } finally {
                lock.close();
            }
        }
    }
}
