package org.mailsync.migration;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a first login: what the vendor should do with it.
 *
 * @param outcome what happened
 * @param reason why, for the refusals and failures, in words the vendor may show the user or log
 *     (never a password)
 *     <p>Immutable.
 */
public record LoginResult(Outcome outcome, @Nullable String reason) {
    /** What happened at the login. */
    public enum Outcome {
        /** The domain is not being migrated: authenticate locally as usual. */
        NOT_MIGRATING,
        /** The account already exists locally: authenticate locally as usual. */
        ACCOUNT_EXISTS,
        /**
         * The legacy server accepted the password, the account now exists locally with that
         * password, and the copy runs in the background (INBOX and recent mail first): let the user in.
         */
        MIGRATION_STARTED,
        /** The legacy server refused the password: reject the login. Nothing was created. */
        LEGACY_REFUSED,
        /**
         * The legacy server accepted the password but the provisioner refused the account (for
         * example its password policy): the reason says why; ask the user for a new password.
         */
        PROVISIONING_REFUSED,
        /**
         * The legacy server could not be reached, or did not answer in time: the vendor decides
         * whether to fail the login or let it through.
         */
        LEGACY_UNREACHABLE
    }

    static LoginResult of(Outcome outcome) {
        return new LoginResult(outcome, null);
    }

    static LoginResult of(Outcome outcome, String reason) {
        return new LoginResult(outcome, reason);
    }

    /** The reason, if the outcome has one. */
    public Optional<String> optionalReason() {
        return Optional.ofNullable(reason);
    }
}
