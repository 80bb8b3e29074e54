package org.mailsync;

import java.nio.file.Path;
import org.mailsync.spi.CheckpointLock;

/**
 * A second JVM for the lock tests: takes the lock of the checkpoint directory given as argument,
 * says "LOCKED" (or "BUSY message" and exits 3), and holds it until its standard input closes.
 */
public final class CheckpointLockHolder {
    private CheckpointLockHolder() {}

    public static void main(String[] args) throws Exception {
        CheckpointLock lock;
        try {
            lock = FileCheckpointStore.in(Path.of(args[0])).lock();
        } catch (CheckpointBusyException e) {
            System.out.println("BUSY " + e.getMessage());
            System.out.flush();
            System.exit(3);
            return;
        }
        System.out.println("LOCKED");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the parent closes our input
        }
        lock.close();
        System.out.println("RELEASED");
        System.out.flush();
    }
}
