package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.spi.CheckpointRecord;

/**
 * A real process stopped with SIGSTOP past its lease, and continued after another took the
 * mailbox: its next write is refused by its own local deadline, before it reaches the database,
 * and nothing it wrote survives the new holder's snapshot.
 */
class StoppedHolderTest {
    // Long enough that a worker JVM on a loaded machine keeps it while it starts writing.
    private static final long LEASE_MILLIS = 5_000;

    private static PostgresServer pg;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        Schema.migrate(pg.dataSource());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).isZero();
    }

    @Test
    void aHolderStoppedPastItsLeaseStopsOnWakingWithoutWritingAgain() throws Exception {
        String mailbox = "stopped@example.org";
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                        LeaseHolderProcess.class.getName(),
                        pg.url(),
                        pg.user(),
                        mailbox,
                        Long.toString(LEASE_MILLIS))
                .redirectErrorStream(true)
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("READ FAILED " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            String held = lines.poll(60, TimeUnit.SECONDS);
            assertThat(held).startsWith("HELD ");
            String writing = lines.poll(60, TimeUnit.SECONDS);
            assertThat(writing).as("the child's output after HELD").isEqualTo("WRITING");
            assertThat(child.isAlive()).as("child alive, output %s", lines).isTrue();

            signal(child, "STOP");
            Thread.sleep(LEASE_MILLIS + 500);
            try (MailboxLeases leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(30))) {
                // A renewal the database was still running when the child stopped may end a little later.
                Optional<Lease> taken = leases.acquire(mailbox, "parent");
                for (int i = 0; taken.isEmpty() && i < 100; i++) {
                    Thread.sleep(100);
                    taken = leases.acquire(mailbox, "parent");
                }
                Lease mine = taken.orElseThrow();
                assertThat(mine.epoch()).isEqualTo(Long.parseLong(held.substring(5)) + 1);
                JdbcCheckpointStore store = JdbcCheckpointStore.fencedBy(leases, mine);
                assertThat(store.journal("INBOX")).isNotEmpty();
                store.save(new CheckpointRecord(
                        "INBOX", 1, "snapshot by the new holder\n".getBytes(StandardCharsets.UTF_8)));

                signal(child, "CONT");
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
                reader.join(5_000);
                List<String> rest = List.copyOf(lines);
                assertThat(child.exitValue()).as("child output %s", rest).isEqualTo(3);
                assertThat(rest)
                        .anySatisfy(l -> assertThat(l).startsWith("LOST ").contains("local deadline passed"));
                assertThat(store.journal("INBOX")).isEmpty();
            }
        } finally {
            child.destroyForcibly();
        }
    }
}
