package org.mailsync.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who this process is, as lock files and spool directories record it (pid, start time, host), and
 * whether a process recorded so is provably gone.
 *
 * <p>Thread-safe.
 */
public final class ThisProcess {
    private static final long PID = ProcessHandle.current().pid();
    private static final long START_MILLIS = startMillisOf(ProcessHandle.current());
    private static volatile @Nullable String host;

    private ThisProcess() {}

    public static long pid() {
        return PID;
    }

    /** When this process started (ms since the epoch), 0 if the system does not say. */
    public static long startMillis() {
        return START_MILLIS;
    }

    /** This machine's name: a label for messages, never looked up. */
    public static String host() {
        String h = host;
        if (h == null) {
            h = readHost();
            host = h;
        }
        return h;
    }

    /** "pid 4711 on host mx1", for messages and lock files. */
    public static String describe() {
        return "pid " + PID + " on host " + host();
    }

    /**
     * Whether the process {@code pid} that started at {@code startMillis} (0: unknown) is gone on
     * this host: no such pid, or the pid now belongs to a process that started at another time.
     * False whenever it cannot be told.
     */
    public static boolean isGone(long pid, long startMillis) {
        if (pid == PID) {
            return startMillis != 0 && START_MILLIS != 0 && Math.abs(startMillis - START_MILLIS) > 1000;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return true;
        }
        long now = startMillisOf(handle.get());
        // The start time is derived from clock ticks since boot: allow a second of rounding.
        return startMillis != 0 && now != 0 && Math.abs(now - startMillis) > 1000;
    }

    private static long startMillisOf(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static String readHost() {
        // The kernel's name first: getLocalHost() may ask DNS, and a label must not wait for it.
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII)
                    .strip();
            if (!name.isEmpty()) {
                return sanitize(name);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        try {
            return sanitize(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Letters, digits, '.', '-' and '_' only: the name goes into file names and messages. */
    static String sanitize(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_' ? c : '_');
        }
        return out.length() == 0 ? "unknown" : out.substring(0, Math.min(out.length(), 64));
    }
}
