package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.StoreFailureException;

/** Which exceptions become which exit codes: usage (2) only for what the user typed. */
class ExitCodeMappingTest {
    @TempDir
    Path home;

    private int run(Mailsync.Dispatch command, ByteArrayOutputStream err) throws InterruptedException {
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        Terminal t = new Terminal(e, e, Map.of(), null, false, home);
        return Mailsync.run(List.of("x"), t, command);
    }

    @Test
    void anIllegalArgumentFromDeepInsideIsAFailureWithItsMessageNotAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(
                (args, t) -> {
                    throw new IllegalArgumentException("APPENDUID 0 is not a valid UID");
                },
                err);

        assertThat(code).isEqualTo(ExitCode.FAILURE.code);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("APPENDUID 0 is not a valid UID");
    }

    @Test
    void aUsageExceptionIsStillExitTwo() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(
                (args, t) -> {
                    throw new UsageException("--jobs needs a number");
                },
                err);

        assertThat(code).isEqualTo(ExitCode.USAGE.code);
    }

    @Test
    void aValueTheUserTypedThatABuilderRefusesIsStillAUsageError() throws Exception {
        // FolderMapping's builder refuses an empty pattern with an IllegalArgumentException.
        CliRun run = CliRun.run(
                home, Map.of(), "verify", "maildir:" + home.resolve("a"), "maildir:" + home.resolve("b"), "--include=");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.err()).contains("empty include pattern");
    }

    @Test
    void tlsAndConnectionFailuresAreExitFourAuthenticationThree() {
        ErrorContext ctx = ErrorContext.of("imap+starttls://anna@host:143");
        // How the IMAP store reports a STARTTLS answered with NO, or a handshake that fails.
        assertThat(ExitCode.of(new ConnectionException(ctx, "STARTTLS refused: NO not now", null)))
                .isEqualTo(ExitCode.CONNECTION);
        assertThat(ExitCode.of(new StoreFailureException(ctx, "TLS handshake failed: certificate not trusted", null)))
                .isEqualTo(ExitCode.CONNECTION);
        assertThat(ExitCode.of(new AuthenticationException(ctx, "LOGIN failed", null)))
                .isEqualTo(ExitCode.AUTHENTICATION);
        assertThat(ExitCode.of(new StoreFailureException(ctx, "disk full", null)))
                .isEqualTo(ExitCode.FAILURE);
    }
}
