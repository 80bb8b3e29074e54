package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provision command (issue 17, part 5) as a real process: the account only in its environment,
 * its refusal's first line as the reason with the password never in it, a timeout that stops it,
 * output read but bounded; and the CSV's extra columns that reach it.
 */
class ProvisionCommandTest {
    private static final String PASSWORD = "Geheim-Passwort-17!";
    private static final Map<String, String> ENV = Map.of("PATH", System.getenv("PATH"));

    private static BatchFile.Account account() {
        String csv = "source user;source password;target user;target password;target host;Display name;Größe;"
                + "E-Mail-Weiterleitung\n"
                + "anna;alt-pw;anna@new;" + PASSWORD + ";;Anna Alt;2G;anna@elsewhere.example\n";
        return BatchFile.parse(
                        csv, StoreSpec.server("imaps://old.example", "imaps"), StoreSpec.server("new.example", "imaps"))
                .get(0);
    }

    private static ProvisionCommand.Result run(String command, ProvisionCommand.Mode mode) throws Exception {
        return new ProvisionCommand(command, Duration.ofSeconds(10), ENV).run(account(), mode);
    }

    @Test
    void theAccountReachesTheCommandInItsEnvironmentWithEveryExtraColumn() throws Exception {
        assertThat(account().fields())
                .containsExactly(
                        Map.entry("DISPLAY_NAME", "Anna Alt"),
                        Map.entry("GROESSE", "2G"),
                        Map.entry("E_MAIL_WEITERLEITUNG", "anna@elsewhere.example"));
        String test = "test \"$MAILSYNC_TARGET_USER\" = anna@new"
                + " && test \"$MAILSYNC_TARGET_PASSWORD\" = '" + PASSWORD + "'"
                + " && test \"$MAILSYNC_FIELD_DISPLAY_NAME\" = 'Anna Alt'"
                + " && test \"$MAILSYNC_FIELD_GROESSE\" = 2G"
                + " && test \"$MAILSYNC_FIELD_E_MAIL_WEITERLEITUNG\" = anna@elsewhere.example"
                + " && test \"$MAILSYNC_PROVISION_MODE\" = check"
                + " && test \"$MAILSYNC_TARGET_HOST\" = new.example"
                + " || { echo mismatch >&2; exit 1; }";
        ProvisionCommand.Result r = new ProvisionCommand(
                        "sh -c \"" + test.replace("\"", "\\\"") + "\"", Duration.ofSeconds(10), ENV)
                .run(account(), ProvisionCommand.Mode.CHECK);
        assertThat(r.accepted()).as(r.reason()).isTrue();
    }

    @Test
    void thePasswordIsNeverOnTheCommandLineNorInTheReasonEvenWhenTheCommandEchoesIt() throws Exception {
        // The command prints its own command line (as ps shows it) and the password it refuses.
        ProvisionCommand.Result r = run(
                "sh -c 'tr \"\\0\" \" \" </proc/$$/cmdline >&2; echo; echo \"weak: $MAILSYNC_TARGET_PASSWORD\" >&2; exit 3'",
                ProvisionCommand.Mode.CREATE);
        assertThat(r.accepted()).isFalse();
        assertThat(r.reason()).startsWith("sh -c").doesNotContain(PASSWORD);
        ProvisionCommand.Result echoed = run(
                "sh -c 'echo \"policy: $MAILSYNC_TARGET_PASSWORD is too weak\" >&2; exit 1'",
                ProvisionCommand.Mode.CREATE);
        assertThat(echoed.reason()).isEqualTo("policy: *** is too weak");
    }

    @Test
    void aCommandThatDoesNotEndIsStoppedAfterItsTimeout() throws Exception {
        long start = System.nanoTime();
        ProvisionCommand.Result r = new ProvisionCommand("sh -c 'sleep 30 & sleep 30'", Duration.ofSeconds(1), ENV)
                .run(account(), ProvisionCommand.Mode.CREATE);
        assertThat(r.accepted()).isFalse();
        assertThat(r.reason()).isEqualTo("the provision command did not end within 1 s (it was stopped)");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
    }

    @Test
    void muchOutputIsReadButNotKeptAndTheFirstErrorLineIsTheReason() throws Exception {
        ProvisionCommand.Result r = run(
                "sh -c 'head -c 5000000 /dev/zero | tr \"\\0\" x; echo; echo; echo \"  mailbox name taken  \" >&2;"
                        + " echo second >&2; exit 2'",
                ProvisionCommand.Mode.CREATE);
        assertThat(r.reason()).isEqualTo("mailbox name taken");
        assertThat(run("sh -c 'exit 4'", ProvisionCommand.Mode.CREATE).reason())
                .isEqualTo("the provision command ended with exit code 4");
        assertThat(run("sh -c 'echo only on stdout; exit 4'", ProvisionCommand.Mode.CREATE)
                        .reason())
                .isEqualTo("only on stdout");
    }

    @Test
    void mailsyncsOwnMailsyncVariablesDoNotReachTheCommand() throws Exception {
        ProvisionCommand.Result r = new ProvisionCommand(
                        "sh -c 'test -z \"$MAILSYNC_FIELD_STALE\" || { echo stale >&2; exit 1; }'",
                        Duration.ofSeconds(10),
                        Map.of("PATH", System.getenv("PATH"), "MAILSYNC_FIELD_STALE", "from the parent"))
                .run(account(), ProvisionCommand.Mode.CREATE);
        assertThat(r.accepted()).as(r.reason()).isTrue();
        assertThat(run("/no/such/program", ProvisionCommand.Mode.CREATE).reason())
                .startsWith("the provision command cannot be started");
    }

    @Test
    void theCommandIsSplitIntoWordsWithoutAShell() {
        assertThat(ProvisionCommand.words("sh -c 'a \"b\" $X' \"c d\" e\\ f"))
                .containsExactly("sh", "-c", "a \"b\" $X", "c d", "e f");
        assertThat(ProvisionCommand.words("  /usr/local/bin/mkuser  ")).containsExactly("/usr/local/bin/mkuser");
        assertThatThrownBy(() -> ProvisionCommand.words("sh -c 'open")).hasMessageContaining("unclosed");
        assertThat(List.of()).isEmpty();
    }

    @Test
    void headerColumnsNameTheFieldsAndTwoColumnsWithOneNameAreRefused() {
        StoreSpec old = StoreSpec.server("imaps://old.example", "imaps");
        StoreSpec neu = StoreSpec.server("new.example", "imaps");
        BatchFile.Account a = BatchFile.parse(
                        "source user,source password,target user,target password,source host,target host,aliases\n"
                                + "a,p,a,q,old2.example,new2.example,\"a1@x, a2@x\"\n"
                                + "b,p,b,q\n",
                        old,
                        neu)
                .get(0);
        assertThat(a.source().host()).isEqualTo("old2.example");
        assertThat(a.target().host()).isEqualTo("new2.example");
        assertThat(a.fields()).containsExactly(Map.entry("ALIASES", "a1@x, a2@x"));
        assertThat(BatchFile.parse("user,password,user,password,quota\nb,p,b,q\n", old, neu)
                        .get(0)
                        .fields())
                .containsExactly(Map.entry("QUOTA", ""));
        assertThatThrownBy(() -> BatchFile.parse("user,password,user,password,Display name,display-name\n", old, neu))
                .hasMessageContaining("columns 5 and 6 both name the field DISPLAY_NAME");
        assertThat(BatchFile.fieldName(" ?? ", 9)).isEqualTo("COLUMN_9");
        assertThat(a.toString()).doesNotContain("a1@x");
    }
}
