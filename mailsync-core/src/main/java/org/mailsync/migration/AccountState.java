package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The recorded state of one account's migration.
 *
 * @param account the local account name (the key)
 * @param domain the domain whose settings apply
 * @param legacyLogin the login on the legacy server
 * @param status where the migration stands
 * @param reason why it failed, or what it waits for; empty text for none
 * @param provisioned whether this migration created the local account (it then takes mail)
 * @param passwordSet whether the local account has its password (false for a pre-staged account
 *     whose user has not logged in yet); while not yet provisioned, whether the provisioning under
 *     way gives it one
 * @param recentPassDone whether the first pass (INBOX, recent mail) is done
 * @param queued whether it waits in the bulk pre-stage queue (re-queued after a restart)
 * @param attempts failed attempts in a row
 * @param nextAttemptAt when a failed attempt is retried
 * @param firstCopyAt when the first full copy completed (the delta period starts here)
 * @param lastPassAt when the last full or delta pass completed
 * @param messagesCopied messages copied so far, over all passes
 * @param updatedAt when this state was saved
 *     <p>Immutable.
 */
public record AccountState(
        String account,
        String domain,
        String legacyLogin,
        MigrationStatus status,
        String reason,
        boolean provisioned,
        boolean passwordSet,
        boolean recentPassDone,
        boolean queued,
        int attempts,
        @Nullable Instant nextAttemptAt,
        @Nullable Instant firstCopyAt,
        @Nullable Instant lastPassAt,
        long messagesCopied,
        Instant updatedAt) {

    public AccountState {
        checkArgument(!account.isBlank(), "account must not be blank");
        checkArgument(!domain.isBlank(), "domain must not be blank");
        checkArgument(!legacyLogin.isBlank(), "legacy login must not be blank");
        checkArgument(attempts >= 0, "attempts must not be negative, not %s", attempts);
        checkArgument(messagesCopied >= 0, "messages copied must not be negative, not %s", messagesCopied);
        checkArgument(
                status == MigrationStatus.NOT_STARTED || status == MigrationStatus.FAILED || provisioned,
                "an account in status %s must be provisioned",
                status);
    }

    /** A state for an account nothing has happened to yet. */
    static AccountState fresh(String account, String domain, String legacyLogin, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                MigrationStatus.NOT_STARTED,
                "",
                false,
                false,
                false,
                false,
                0,
                null,
                null,
                null,
                0,
                now);
    }

    /** When a failed attempt is retried, if one is pending. */
    public Optional<Instant> optionalNextAttemptAt() {
        return Optional.ofNullable(nextAttemptAt);
    }

    /** When the first full copy completed, if it has. */
    public Optional<Instant> optionalFirstCopyAt() {
        return Optional.ofNullable(firstCopyAt);
    }

    /** When the last full or delta pass completed, if one has. */
    public Optional<Instant> optionalLastPassAt() {
        return Optional.ofNullable(lastPassAt);
    }

    /** Whether mail for this account is delivered locally: the local account exists. */
    public boolean deliversLocally() {
        return provisioned;
    }

    AccountState withStatus(MigrationStatus newStatus, String newReason, Instant now) {
        Change c = change();
        c.status = newStatus;
        c.reason = newReason;
        return c.at(now);
    }

    AccountState withProvisioned(boolean withPassword, Instant now) {
        Change c = change();
        if (status == MigrationStatus.NOT_STARTED || status == MigrationStatus.FAILED) {
            c.status = MigrationStatus.PROVISIONED;
        }
        c.reason = "";
        c.provisioned = true;
        c.passwordSet = passwordSet || withPassword;
        return c.at(now);
    }

    /**
     * Written down before the provisioner is called, so that an account created just before a
     * crash is recognised (and adopted) afterwards rather than left without its migration.
     */
    AccountState withProvisioningIntent(boolean withPassword, Instant now) {
        if (provisioned) {
            // Provisioned meanwhile by another node sharing the state store (a pre-staging job
            // there): nothing to announce; the provisioner's second call finds the account made.
            return this;
        }
        Change c = change();
        if (status == MigrationStatus.FAILED) {
            c.status = MigrationStatus.NOT_STARTED;
        }
        c.reason = "being provisioned";
        c.provisioned = false;
        c.passwordSet = withPassword;
        return c.at(now);
    }

    /** The provisioner refused a login's account: nothing exists locally. */
    AccountState withProvisioningRefused(String why, Instant now) {
        Change c = change();
        c.reason = "the provisioner refused the account: " + why;
        c.provisioned = false;
        c.passwordSet = false;
        return c.at(now);
    }

    AccountState withQueued(boolean inQueue, Instant now) {
        Change c = change();
        c.queued = inQueue;
        return c.at(now);
    }

    AccountState withRecentPassDone(long copied, Instant now) {
        Change c = change();
        c.recentPassDone = true;
        c.messagesCopied += copied;
        return c.at(now);
    }

    /** A full or delta pass completed: SYNCED, failures forgotten. */
    AccountState withPassCompleted(long copied, String note, Instant now) {
        Change c = change();
        c.status = status == MigrationStatus.DONE ? MigrationStatus.DONE : MigrationStatus.SYNCED;
        c.reason = note;
        c.queued = false;
        c.attempts = 0;
        c.nextAttemptAt = null;
        c.firstCopyAt = firstCopyAt == null ? now : firstCopyAt;
        c.lastPassAt = now;
        c.messagesCopied += copied;
        return c.at(now);
    }

    /** An attempt failed; retried at {@code retryAt}, or parked as FAILED when that is null. */
    AccountState withFailure(String why, @Nullable Instant retryAt, Instant now) {
        Change c = change();
        if (retryAt == null) {
            c.status = MigrationStatus.FAILED;
        }
        c.reason = why;
        c.attempts = attempts + 1;
        c.nextAttemptAt = retryAt;
        return c.at(now);
    }

    /** A parked account is given another chance: back to where it stood, attempts reset. */
    AccountState withRetryRequested(Instant now) {
        Change c = change();
        c.status = !provisioned
                ? MigrationStatus.NOT_STARTED
                : firstCopyAt != null ? MigrationStatus.SYNCED : MigrationStatus.COPYING;
        c.reason = "";
        c.attempts = 0;
        c.nextAttemptAt = null;
        return c.at(now);
    }

    private Change change() {
        return new Change(this);
    }

    /**
     * This state's fields, to change a few and make the next state from: each transition above
     * names only what it changes. Not thread-safe; used within one method.
     */
    private static final class Change {
        private final AccountState from;
        MigrationStatus status;
        String reason;
        boolean provisioned;
        boolean passwordSet;
        boolean recentPassDone;
        boolean queued;
        int attempts;

        @Nullable
        Instant nextAttemptAt;

        @Nullable
        Instant firstCopyAt;

        @Nullable
        Instant lastPassAt;

        long messagesCopied;

        Change(AccountState from) {
            this.from = from;
            status = from.status;
            reason = from.reason;
            provisioned = from.provisioned;
            passwordSet = from.passwordSet;
            recentPassDone = from.recentPassDone;
            queued = from.queued;
            attempts = from.attempts;
            nextAttemptAt = from.nextAttemptAt;
            firstCopyAt = from.firstCopyAt;
            lastPassAt = from.lastPassAt;
            messagesCopied = from.messagesCopied;
        }

        AccountState at(Instant now) {
            return new AccountState(
                    from.account,
                    from.domain,
                    from.legacyLogin,
                    status,
                    reason,
                    provisioned,
                    passwordSet,
                    recentPassDone,
                    queued,
                    attempts,
                    nextAttemptAt,
                    firstCopyAt,
                    lastPassAt,
                    messagesCopied,
                    now);
        }
    }
}
