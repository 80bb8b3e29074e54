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
        return new AccountState(
                account,
                domain,
                legacyLogin,
                newStatus,
                newReason,
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

    AccountState withProvisioned(boolean withPassword, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                status == MigrationStatus.NOT_STARTED || status == MigrationStatus.FAILED
                        ? MigrationStatus.PROVISIONED
                        : status,
                "",
                true,
                passwordSet || withPassword,
                recentPassDone,
                queued,
                attempts,
                nextAttemptAt,
                firstCopyAt,
                lastPassAt,
                messagesCopied,
                now);
    }

    /**
     * Written down before the provisioner is called, so that an account created just before a
     * crash is recognised (and adopted) afterwards rather than left without its migration.
     */
    AccountState withProvisioningIntent(boolean withPassword, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                status == MigrationStatus.FAILED ? MigrationStatus.NOT_STARTED : status,
                "being provisioned",
                false,
                withPassword,
                recentPassDone,
                queued,
                attempts,
                nextAttemptAt,
                firstCopyAt,
                lastPassAt,
                messagesCopied,
                now);
    }

    /** The provisioner refused a login's account: nothing exists locally. */
    AccountState withProvisioningRefused(String why, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                status,
                "the provisioner refused the account: " + why,
                false,
                false,
                recentPassDone,
                queued,
                attempts,
                nextAttemptAt,
                firstCopyAt,
                lastPassAt,
                messagesCopied,
                now);
    }

    AccountState withQueued(boolean inQueue, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                status,
                reason,
                provisioned,
                passwordSet,
                recentPassDone,
                inQueue,
                attempts,
                nextAttemptAt,
                firstCopyAt,
                lastPassAt,
                messagesCopied,
                now);
    }

    AccountState withRecentPassDone(long copied, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                status,
                reason,
                provisioned,
                passwordSet,
                true,
                queued,
                attempts,
                nextAttemptAt,
                firstCopyAt,
                lastPassAt,
                messagesCopied + copied,
                now);
    }

    /** A full or delta pass completed: SYNCED, failures forgotten. */
    AccountState withPassCompleted(long copied, String note, Instant now) {
        MigrationStatus next = status == MigrationStatus.DONE ? MigrationStatus.DONE : MigrationStatus.SYNCED;
        return new AccountState(
                account,
                domain,
                legacyLogin,
                next,
                note,
                provisioned,
                passwordSet,
                recentPassDone,
                false,
                0,
                null,
                firstCopyAt == null ? now : firstCopyAt,
                now,
                messagesCopied + copied,
                now);
    }

    /** An attempt failed; retried at {@code retryAt}, or parked as FAILED when that is null. */
    AccountState withFailure(String why, @Nullable Instant retryAt, Instant now) {
        return new AccountState(
                account,
                domain,
                legacyLogin,
                retryAt == null ? MigrationStatus.FAILED : status,
                why,
                provisioned,
                passwordSet,
                recentPassDone,
                queued,
                attempts + 1,
                retryAt,
                firstCopyAt,
                lastPassAt,
                messagesCopied,
                now);
    }

    /** A parked account is given another chance: back to where it stood, attempts reset. */
    AccountState withRetryRequested(Instant now) {
        MigrationStatus back = !provisioned
                ? MigrationStatus.NOT_STARTED
                : firstCopyAt != null ? MigrationStatus.SYNCED : MigrationStatus.COPYING;
        return new AccountState(
                account,
                domain,
                legacyLogin,
                back,
                "",
                provisioned,
                passwordSet,
                recentPassDone,
                queued,
                0,
                null,
                firstCopyAt,
                lastPassAt,
                messagesCopied,
                now);
    }
}
