package org.mailsync.examples.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Server certificates to trust by fingerprint, per side: the options every command that logs in
 * shares (a picocli mixin).
 *
 * <p>Not thread-safe while picocli fills it; read-only afterwards.
 */
final class TrustOptions {
    @Option(
            names = "--source-trust-sha256",
            paramLabel = "FP",
            description = "trust this source server certificate (SHA-256 fingerprint), repeatable")
    List<String> source = new ArrayList<>();

    @Option(names = "--target-trust-sha256", paramLabel = "FP", description = "the same for the target")
    List<String> target = new ArrayList<>();

    /** The fingerprints of one side. */
    List<String> of(Side side) {
        return side == Side.SOURCE ? List.copyOf(source) : List.copyOf(target);
    }
}
