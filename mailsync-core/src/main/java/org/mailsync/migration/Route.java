package org.mailsync.migration;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where the vendor's SMTP side should deliver mail for one recipient.
 *
 * @param deliverLocally whether the local account exists and takes the mail
 * @param relayTo the legacy server to relay to when not delivering locally
 *     <p>Immutable.
 */
public record Route(boolean deliverLocally, @Nullable LegacyEndpoint relayTo) {
    private static final Route LOCAL = new Route(true, null);

    public Route {
        if (deliverLocally == (relayTo != null)) {
            throw new IllegalArgumentException("a route delivers locally or relays, one of the two");
        }
    }

    /** Deliver into the local account. */
    public static Route local() {
        return LOCAL;
    }

    /** Relay to the legacy server (its host; the SMTP port is the vendor's business). */
    public static Route relay(LegacyEndpoint legacy) {
        return new Route(false, legacy);
    }

    /** The legacy server to relay to, if not delivering locally. */
    public Optional<LegacyEndpoint> optionalRelayTo() {
        return Optional.ofNullable(relayTo);
    }
}
