package org.mailsync.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DotLockTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    /** The pid of a process that ran and exited: provably dead. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        p.waitFor();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        return pid;
    }

    private static String contentOf(long pid) {
        return pid + ":"
                + DotLock.ownerContent().substring(DotLock.ownerContent().indexOf(':') + 1);
    }

    private Path lockFileHolding(String content) throws IOException {
        Path lock = dir.resolve("inbox.lock");
        Files.writeString(lock, content, StandardCharsets.US_ASCII);
        return lock;
    }

    @Test
    void aLockWhoseOwnerIsDeadIsBrokenAtOnce() throws Exception {
        lockFileHolding(contentOf(deadPid()));
        Instant start = Instant.now();
        try (DotLock lock =
                DotLock.acquire(dir.resolve("inbox"), FIVE_MINUTES, Duration.ofSeconds(20), Clock.systemUTC())) {
            assertThat(Files.readString(lock.lockFile())).isEqualTo(DotLock.ownerContent());
        }
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
        assertThat(dir.resolve("inbox.lock")).doesNotExist();
    }

    @Test
    void aLockOfALivePidIsNotBrokenBeforeTheStaleAge() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Path lockFile = lockFileHolding(contentOf(sleeper.pid()));
            assertThatThrownBy(() -> DotLock.acquire(
                            dir.resolve("inbox"), FIVE_MINUTES, Duration.ofMillis(300), Clock.systemUTC()))
                    .isInstanceOf(DotLock.TimeoutException.class)
                    .hasMessageContaining("process " + sleeper.pid());
            assertThat(Files.readString(lockFile)).isEqualTo(contentOf(sleeper.pid()));
            // Past the stale age the live owner has evidently hung: the lock is taken over.
            Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now().minus(Duration.ofMinutes(6))));
            try (DotLock lock =
                    DotLock.acquire(dir.resolve("inbox"), FIVE_MINUTES, Duration.ofMillis(300), Clock.systemUTC())) {
                assertThat(Files.readString(lock.lockFile())).isEqualTo(DotLock.ownerContent());
            }
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aLockNamingAnotherHostOrNoOwnerWaitsForTheStaleAge() throws Exception {
        long dead = deadPid();
        for (String content : List.of(dead + ":some-other-host", "", "garbage")) {
            Path lockFile = lockFileHolding(content);
            assertThatThrownBy(() -> DotLock.acquire(
                            dir.resolve("inbox"), FIVE_MINUTES, Duration.ofMillis(100), Clock.systemUTC()))
                    .isInstanceOf(DotLock.TimeoutException.class);
            assertThat(Files.readString(lockFile)).isEqualTo(content);
        }
    }

    @Test
    void lockFilesAreOwnerOnlyWhateverTheUmask() throws Exception {
        try (DotLock lock = DotLock.acquire(dir.resolve("inbox"), FIVE_MINUTES, Duration.ZERO, Clock.systemUTC())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock.lockFile())))
                    .isEqualTo("rw-------");
            lock.commit("new content".getBytes(StandardCharsets.US_ASCII), true);
        }
        assertThat(Files.readString(dir.resolve("inbox"))).isEqualTo("new content");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("inbox"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aHolderReleasingLeavesAnotherHoldersLockAlone() throws Exception {
        DotLock slow = DotLock.acquire(dir.resolve("inbox"), FIVE_MINUTES, Duration.ZERO, Clock.systemUTC());
        // Six minutes on, the slow holder is taken for hung and its lock broken; another takes it
        // (the file system may well give the new lock file the old one's inode).
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(6));
        try (DotLock fresh = DotLock.acquire(dir.resolve("inbox"), FIVE_MINUTES, Duration.ZERO, later)) {
            slow.close();
            assertThat(fresh.lockFile()).exists();
        }
    }

    /**
     * Many threads find the same stale lock at once and each holds what it takes: exactly one may
     * take it. (Deleting after judging, as before, let a second breaker delete the first one's
     * fresh lock and take it too.)
     */
    @Test
    void threadsRacingToBreakTheSameStaleLockLetOnlyOneWin() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 60; round++) {
                Path target = dir.resolve("box" + round);
                Path lockFile = DotLock.lockFileOf(target);
                Files.writeString(lockFile, round % 2 == 0 ? contentOf(deadPid()) : "");
                Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<DotLock>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            return DotLock.acquire(target, FIVE_MINUTES, Duration.ofMillis(150), Clock.systemUTC());
                        } catch (DotLock.TimeoutException lost) {
                            return null;
                        }
                    }));
                }
                List<DotLock> winners = new ArrayList<>();
                for (Future<DotLock> f : results) {
                    DotLock lock = f.get(30, TimeUnit.SECONDS);
                    if (lock != null) {
                        winners.add(lock);
                    }
                }
                assertThat(winners).as("round %d", round).hasSize(1);
                winners.get(0).close();
                try (var leftovers = Files.list(dir)) {
                    String prefix = ".box" + round + ".lock";
                    assertThat(leftovers.map(p -> p.getFileName().toString()))
                            .noneMatch(name -> name.startsWith(prefix));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Two JVMs race to break the same stale lock; each holds what it takes: only one wins. */
    @Test
    void processesRacingToBreakTheSameStaleLockLetOnlyOneWin() throws Exception {
        for (int round = 0; round < 3; round++) {
            Path target = dir.resolve("proc" + round);
            Path lockFile = DotLock.lockFileOf(target);
            Files.writeString(lockFile, contentOf(deadPid()));
            Path go = dir.resolve("go" + round);
            List<Process> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                racers.add(new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                DotLockRacer.class.getName(),
                                target.toString(),
                                go.toString())
                        .redirectErrorStream(true)
                        .start());
            }
            List<BufferedReader> outs = new ArrayList<>();
            for (Process p : racers) {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("READY");
                outs.add(out);
            }
            Files.createFile(go);
            List<String> verdicts = new ArrayList<>();
            for (BufferedReader out : outs) {
                verdicts.add(out.readLine());
            }
            for (Process p : racers) {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(verdicts).as("round %d", round).containsExactlyInAnyOrder("WON", "LOST");
        }
    }

    /** One racer of {@link #processesRacingToBreakTheSameStaleLockLetOnlyOneWin}. */
    static final class DotLockRacer {
        public static void main(String[] args) throws Exception {
            Path target = Path.of(args[0]);
            File go = new File(args[1]);
            System.out.println("READY");
            System.out.flush();
            while (!go.exists()) {
                Thread.onSpinWait();
            }
            try {
                DotLock lock =
                        DotLock.acquire(target, Duration.ofMinutes(5), Duration.ofMillis(1500), Clock.systemUTC());
                System.out.println("WON");
                System.out.flush();
                // Hold it until the other has given up.
                new CountDownLatch(1).await(2500, TimeUnit.MILLISECONDS);
                lock.close();
            } catch (DotLock.TimeoutException e) {
                System.out.println("LOST");
            }
            System.out.flush();
        }
    }
}
