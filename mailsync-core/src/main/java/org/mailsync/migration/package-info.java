/**
 * Auto-migration for mail server vendors: migrate an account from a legacy server at its user's
 * first login (the legacy server checks the password), route mail meanwhile, and pre-stage
 * accounts in bulk. {@link org.mailsync.migration.AutoMigration} is the entry point; the vendor's
 * side is behind {@link org.mailsync.migration.spi}.
 *
 * <h2>An account's states</h2>
 *
 * <pre>
 * (none) --prestage--------------------------&gt; NOT_STARTED (queued)
 * (none) or NOT_STARTED --login accepted, provisioned--&gt; PROVISIONED
 * NOT_STARTED --bulk job: provisioned without password--&gt; PROVISIONED
 * PROVISIONED --job starts--&gt; COPYING --INBOX recent pass, full pass--&gt; SYNCED
 * SYNCED --delta pass every deltaInterval--&gt; SYNCED --deltaPeriod over, or markDone--&gt; DONE
 * any --refused master login, provisioner refusal, attempts used up--&gt; FAILED --retry()--&gt; back
 * </pre>
 *
 * <p>A failed attempt keeps the status and sets {@code nextAttemptAt} (as the retry {@link
 * org.mailsync.BackoffPolicy} says: by default doubling from the configured first wait; or the
 * server's own wait when it throttles and asks for longer);
 * {@link org.mailsync.migration.AutoMigration#tick()} starts it again when due. Each state is saved
 * before the work it announces, and every copy is a checkpointed sync pass, so a process killed at
 * any point resumes from the files with every message exactly once.
 *
 * <h2>"Recent mail first"</h2>
 *
 * The engine copies a folder in id (arrival) order and has no ordering of its own, so a migration
 * runs two passes: first INBOX only, with the messages whose internal date lies within the recent
 * window (30 days by default), with checkpoints of its own; then the full pass over every folder.
 * The full pass starts with empty checkpoints against a non-empty target, so the engine matches the
 * INBOX messages already copied by identity and copies each message once.
 */
@NullMarked
package org.mailsync.migration;

import org.jspecify.annotations.NullMarked;
