package org.mailsync.cluster;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * How one account's pass runs, kept in its row as text ({@code connections=2,attempts=5,batch=100}).
 * Immutable.
 *
 * @param connections connections the pass opens on each side, and so the slots it takes of its
 *     legacy host's cap: 2 at least (an IMAP store needs one of its own and one per open folder)
 * @param maxAttempts failed attempts before the account is parked as FAILED
 * @param batch messages per append batch (each batch is one checkpoint journal entry: smaller
 *     batches mean less to settle after a takeover, and more checkpoint writes)
 */
public record PassOptions(int connections, int maxAttempts, int batch) {
    /** Two connections (the store's own and one folder's), five attempts, batches of 100. */
    public static final PassOptions DEFAULTS = new PassOptions(2, 5, 100);

    public PassOptions {
        checkArgument(connections >= 2 && connections <= 64, "connections must be 2..64, not %s", connections);
        checkArgument(maxAttempts >= 1 && maxAttempts <= 100, "max attempts must be 1..100, not %s", maxAttempts);
        checkArgument(batch >= 1 && batch <= 10_000, "batch must be 1..10000 messages, not %s", batch);
    }

    /** The row's text form. */
    public String format() {
        return "connections=" + connections + ",attempts=" + maxAttempts + ",batch=" + batch;
    }

    /** These options with another batch size. */
    public PassOptions withBatch(int messages) {
        return new PassOptions(connections, maxAttempts, messages);
    }

    /** Parses {@link #format()}'s text; unknown keys are refused, missing ones take the defaults. */
    public static PassOptions parse(String text) {
        int connections = DEFAULTS.connections;
        int attempts = DEFAULTS.maxAttempts;
        int batch = DEFAULTS.batch;
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            checkArgument(eq > 0, "pass option %s is not key=value", part);
            String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            int value = Integer.parseInt(part.substring(eq + 1).strip());
            switch (key) {
                case "connections" -> connections = value;
                case "attempts" -> attempts = value;
                case "batch" -> batch = value;
                default -> throw new IllegalArgumentException("unknown pass option " + key);
            }
        }
        return new PassOptions(connections, attempts, batch);
    }
}
