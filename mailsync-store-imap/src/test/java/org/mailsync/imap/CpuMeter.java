package org.mailsync.imap;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.mailsync.testing.DovecotServer;

/**
 * CPU seconds spent by each party of a benchmark run: this JVM and the two Dovecots (each
 * master's own time, its reaped children's, and its live children's, from /proc). On a machine
 * shared with other work the wall time of a run moves a lot; the CPU each party spends per message
 * moves far less, and says who pays for what.
 *
 * <p>Not thread-safe; a benchmark helper. Linux only.
 */
final class CpuMeter {
    private static final double TICK = 100.0; // USER_HZ on Linux

    private final DovecotServer source;
    private final DovecotServer target;
    private double jvm;
    private double src;
    private double dst;

    CpuMeter(DovecotServer source, DovecotServer target) {
        this.source = source;
        this.target = target;
    }

    /** Starts a measurement. */
    void start() throws IOException {
        jvm = jvmSeconds();
        src = dovecotSeconds(source);
        dst = dovecotSeconds(target);
    }

    /** CPU seconds since {@link #start}, per 1,000 messages: "jvm / source / target". */
    String perThousand(int messages) throws IOException {
        double k = messages / 1000.0;
        return String.format(
                "cpu s per 1000 msgs: jvm %.3f  source %.3f  target %.3f",
                (jvmSeconds() - jvm) / k, (dovecotSeconds(source) - src) / k, (dovecotSeconds(target) - dst) / k);
    }

    private static double jvmSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    /** The master's time, its children's that ended, and those of its children still running. */
    private static double dovecotSeconds(DovecotServer server) throws IOException {
        String pid = Files.readString(server.directory().resolve("run").resolve("master.pid"))
                .trim();
        long[] master = stat(pid);
        long ticks = master[0] + master[1] + master[2] + master[3];
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long[] s;
                try {
                    s = stat(name);
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                if (String.valueOf(s[4]).equals(pid)) {
                    ticks += s[0] + s[1];
                }
            }
        }
        return ticks / TICK;
    }

    /** utime, stime, cutime, cstime, ppid of a process. */
    private static long[] stat(String pid) throws IOException {
        String s = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return new long[] {
            Long.parseLong(f[11]),
            Long.parseLong(f[12]),
            Long.parseLong(f[13]),
            Long.parseLong(f[14]),
            Long.parseLong(f[1])
        };
    }
}
