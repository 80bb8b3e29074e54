package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.testing.DovecotServer;

/**
 * {@code mailsync batch} from a real Dovecot POP3 server into GreenMail's IMAP: three accounts, one
 * with a wrong POP3 password that fails alone (exit 3) in preflight and in the run, a second run
 * that copies only new mail, ids kept beside each account's checkpoints, and {@code
 * --pop3-delete-after-copy} deleting per account only what the target holds.
 */
class BatchPop3CliTest {
    private static final AtomicLong DELIVERIES = new AtomicLong();
    private static DovecotServer dovecot;

    @RegisterExtension
    final GreenMailExtension target = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = DovecotServer.start(DovecotServer.Options.defaults().withPop3());
        Thread.sleep(1100); // past the second in which Dovecot read its (empty) users file
        for (String user : List.of("ute", "vera", "wim", "xena")) {
            dovecot.addUser(user, "pw-" + user);
        }
    }

    @AfterAll
    static void stopDovecot() throws IOException {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    /** Puts a message into the user's INBOX as a delivery agent would: a new file in Maildir/new. */
    private static void deliver(String user, String subject) throws IOException {
        Path maildir = dovecot.home(user).resolve("Maildir");
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        long n = DELIVERIES.incrementAndGet();
        String message = "From: sender@example.org\r\nTo: " + user + "@alt.example\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@example.org>\r\nDate: Mon, 6 May 2024 08:00:0"
                + (n % 10) + " +0000\r\n\r\nbody of " + subject + "\r\n";
        Path tmp = maildir.resolve("tmp").resolve("t" + n);
        Files.write(tmp, message.getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, maildir.resolve("new").resolve(System.currentTimeMillis() / 1000 + ".M" + n + "P1.test"));
        dovecot.chownIfRoot(maildir);
    }

    /** The subjects still on the POP3 server (its Maildir). */
    private static Set<String> onPop3(String user) throws IOException {
        Set<String> subjects = new TreeSet<>();
        for (String sub : new String[] {"cur", "new"}) {
            Path dir = dovecot.home(user).resolve("Maildir").resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.readAllLines(f, StandardCharsets.US_ASCII).stream()
                                .filter(l -> l.startsWith("Subject: "))
                                .findFirst()
                                .ifPresent(l -> subjects.add(l.substring(9)));
                    }
                }
            }
        }
        return subjects;
    }

    /** The subjects in the user's INBOX on the IMAP target. */
    private Set<String> onTarget(String user) throws Exception {
        Set<String> subjects = new TreeSet<>();
        for (StoredMessage m : target.getManagers()
                .getImapHostManager()
                .getInbox(target.getUserManager().getUser(user))
                .getMessages()) {
            subjects.add(m.getMimeMessage().getSubject());
        }
        return subjects;
    }

    private CliRun batch(Path csv, String... more) throws InterruptedException {
        String[] args = Stream.concat(
                        Stream.of(
                                "batch",
                                csv.toString(),
                                "--source=pop3://127.0.0.1:" + dovecot.pop3Port(),
                                "--target=imap://127.0.0.1:" + target.getImap().getPort(),
                                "--checkpoints=" + home.resolve("cp"),
                                "--jobs=3"),
                        Stream.of(more))
                .toArray(String[]::new);
        return CliRun.run(home, Map.of(), args);
    }

    @Test
    void pop3AccountsMigrateOneWrongPasswordFailsAloneDeltaThenDeleteOnlyWhatTheTargetHas() throws Exception {
        for (String user : List.of("ute", "vera", "wim")) {
            target.setUser(user + "@neu.example", user, "new-" + user);
            deliver(user, user + " one");
            deliver(user, user + " two");
        }
        Path csv = Files.writeString(
                home.resolve("accounts.csv"),
                "ute,pw-ute,ute,new-ute\r\nvera,pw-vera,vera,new-vera\r\nwim,wrong,wim,new-wim\r\n");

        CliRun preflight = batch(csv, "--preflight");
        assertThat(preflight.code()).as(preflight.toString()).isEqualTo(ExitCode.AUTHENTICATION.code);
        assertThat(preflight.out())
                .containsPattern("1 +ute -> ute +OK .*both logins work; sizes unknown \\(source: POP3 server")
                .containsPattern("3 +wim -> wim +AUTHENTICATION .*source: wrong user or password")
                .contains("preflight: 2 of 3 accounts OK");
        assertThat(onTarget("ute")).isEmpty();
        assertThat(home.resolve("cp")).doesNotExist(); // a preflight only logs in

        CliRun first = batch(csv);
        assertThat(first.code()).as(first.toString()).isEqualTo(ExitCode.AUTHENTICATION.code);
        assertThat(first.out())
                .containsPattern("1 +ute -> ute +OK +2 ")
                .containsPattern("2 +vera -> vera +OK +2 ")
                .containsPattern("3 +wim -> wim +AUTHENTICATION")
                .contains("batch: 2 of 3 accounts OK");
        assertThat(first.out() + first.err()).doesNotContain("pw-ute").doesNotContain("wrong");
        assertThat(onTarget("ute")).containsExactlyInAnyOrder("ute one", "ute two");
        assertThat(onTarget("vera")).containsExactlyInAnyOrder("vera one", "vera two");
        assertThat(onTarget("wim")).isEmpty();
        // Each account's POP3 ids beside its own checkpoints, as migrate keeps them.
        try (Stream<Path> ids = Files.list(home.resolve("cp"))) {
            assertThat(ids.filter(d -> Files.isDirectory(d.resolve("source-ids")))
                            .count())
                    .isEqualTo(2);
        }
        assertThat(onPop3("ute")).hasSize(2); // nothing deleted without the option

        deliver("ute", "ute three");
        CliRun delta = batch(csv);
        assertThat(delta.out()).containsPattern("1 +ute -> ute +OK +1 ").containsPattern("2 +vera -> vera +OK +0 ");
        assertThat(onTarget("ute")).containsExactlyInAnyOrder("ute one", "ute two", "ute three");
        assertThat(onTarget("vera")).hasSize(2);

        CliRun deleting = batch(csv, "--pop3-delete-after-copy");
        assertThat(deleting.code()).as(deleting.toString()).isEqualTo(ExitCode.AUTHENTICATION.code);
        assertThat(onPop3("ute")).isEmpty();
        assertThat(onPop3("vera")).isEmpty();
        assertThat(onPop3("wim")).containsExactlyInAnyOrder("wim one", "wim two"); // its pass failed: kept
        assertThat(onTarget("ute")).hasSize(3);
        assertThat(onTarget("vera")).hasSize(2);
    }

    @Test
    void deleteAfterCopyKeepsWhatTheTargetDoesNotHave() throws Exception {
        target.setUser("xena@neu.example", "xena", "new-xena");
        deliver("xena", "xena kept one");
        deliver("xena", "xena kept two");
        Path csv = Files.writeString(home.resolve("one.csv"), "xena,pw-xena,xena,new-xena\r\n");
        CliRun first = batch(csv);
        assertThat(first.code()).as(first.toString()).isZero();
        // The copied messages vanish from the target (a user deleted them): the deleting pass must
        // take none off the POP3 server that the target does not have again.
        target.getManagers()
                .getImapHostManager()
                .getInbox(target.getUserManager().getUser("xena"))
                .deleteAllMessages();
        deliver("xena", "xena kept three");
        CliRun deleting = batch(csv, "--pop3-delete-after-copy");
        assertThat(deleting.code()).as(deleting.toString()).isZero();
        Set<String> gone = new TreeSet<>(Set.of("xena kept one", "xena kept two", "xena kept three"));
        gone.removeAll(onPop3("xena"));
        assertThat(onTarget("xena")).containsAll(gone).contains("xena kept three");
        assertThat(gone).contains("xena kept three");
    }

    @Test
    void pop3ServersInTheFileAndOnTheCommandLine() {
        assertThat(StoreSpec.server("pop3s://old.example.org", "imaps").port()).isEqualTo(995);
        assertThat(StoreSpec.server("pop3+stls://old.example.org", "imaps").canonical())
                .isEqualTo("pop3+stls://old.example.org:110");
        // A host column takes the scheme of --source: a POP3 server stays one.
        List<BatchFile.Account> accounts = BatchFile.parse(
                "ute,a,ute,b,other.example.org:1110\r\n",
                StoreSpec.server("pop3+stls://old.example.org", "imaps"),
                StoreSpec.server("imaps://new.example.org", "imaps"));
        assertThat(accounts.get(0).source().canonical()).isEqualTo("pop3+stls://ute@other.example.org:1110");
        assertThatThrownBy(() -> BatchFile.parse(
                        "ute,a,ute,b\r\n",
                        StoreSpec.server("imaps://old.example.org", "imaps"),
                        StoreSpec.server("pop3s://new.example.org", "imaps")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("only be a source");
    }
}
