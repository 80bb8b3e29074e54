package org.mailsync.examples.cli;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * How to log in to the source and the target: a password file, an environment variable, an
 * OAuth2 token file, or else a prompt on the terminal; never a password on the command line. The
 * options migrate and verify share (a picocli mixin).
 *
 * <p>Not thread-safe while picocli fills it; read-only afterwards.
 */
final class CredentialOptions {
    @Option(
            names = "--source-password-file",
            paramLabel = "F",
            converter = OptionTypes.FileName.class,
            description = "first line of F is the source password")
    @Nullable
    Path sourcePasswordFile;

    @Option(
            names = "--source-password-env",
            paramLabel = "VAR",
            description = "the source password is in environment variable VAR")
    @Nullable
    String sourcePasswordEnv;

    @Option(
            names = "--source-oauth2-token-file",
            paramLabel = "F",
            converter = OptionTypes.FileName.class,
            description = "log in with XOAUTH2, the access token read from F at each login")
    @Nullable
    Path sourceTokenFile;

    @Option(
            names = "--target-password-file",
            paramLabel = "F",
            converter = OptionTypes.FileName.class,
            description = "the same for the target")
    @Nullable
    Path targetPasswordFile;

    @Option(names = "--target-password-env", paramLabel = "VAR", description = "the same for the target")
    @Nullable
    String targetPasswordEnv;

    @Option(
            names = "--target-oauth2-token-file",
            paramLabel = "F",
            converter = OptionTypes.FileName.class,
            description = "the same for the target")
    @Nullable
    Path targetTokenFile;

    /** Printed below the options of the commands that log in. */
    static final String NO_PASSWORD_OPTION =
            "No password option for a side: mailsync asks on the terminal; never on the command line.";

    /**
     * Credentials of one side for {@code spec}; a password is read (or asked for) now, a token
     * file at each login.
     */
    StoreSpec.Credentials of(Side side, StoreSpec spec, TrustOptions trust, Terminal terminal, int maxConnections) {
        var trusted = trust.of(side);
        if (spec.kind() != StoreSpec.Kind.IMAP && spec.kind() != StoreSpec.Kind.POP3) {
            return new StoreSpec.Credentials(null, null, trusted, maxConnections);
        }
        Path tokenFile = side == Side.SOURCE ? sourceTokenFile : targetTokenFile;
        if (tokenFile != null) {
            String option = side.label() + "-oauth2-token-file";
            StoreSpec.readSecretFile(tokenFile, option); // refused now, not at the first login
            // Read at each login: a token refresher may rewrite the file while a long run goes on.
            Supplier<String> token = () -> new String(StoreSpec.readSecretFile(tokenFile, option));
            return new StoreSpec.Credentials(null, token, trusted, maxConnections);
        }
        Path file = side == Side.SOURCE ? sourcePasswordFile : targetPasswordFile;
        String env = side == Side.SOURCE ? sourcePasswordEnv : targetPasswordEnv;
        return new StoreSpec.Credentials(password(side, spec, file, env, terminal), null, trusted, maxConnections);
    }

    private static Supplier<char[]> password(
            Side side, StoreSpec spec, @Nullable Path file, @Nullable String env, Terminal terminal) {
        String name = side.label();
        if (file != null && env != null) {
            throw new UsageException("give the " + name + " password one way: a file or an environment variable");
        }
        char[] secret;
        if (file != null) {
            secret = StoreSpec.readSecretFile(file, name + "-password-file");
        } else if (env != null) {
            String value = terminal.env().get(env);
            if (value == null) {
                // Not its name: a password typed where the variable's name belongs would show.
                throw new UsageException("the environment variable named by --" + name + "-password-env is not set");
            }
            secret = value.toCharArray();
        } else {
            Terminal.PasswordPrompt console = terminal.optionalConsole()
                    .orElseThrow(() -> new UsageException("no password for " + spec.canonical() + ": give --" + name
                            + "-password-file or --" + name + "-password-env, or run on a terminal to be asked"));
            char[] typed = console.readPassword("Password for " + spec.canonical() + ": ");
            if (typed == null) {
                throw new UsageException("no password typed for " + spec.canonical());
            }
            secret = typed;
        }
        return StoreSpec.Credentials.kept(secret);
    }
}
