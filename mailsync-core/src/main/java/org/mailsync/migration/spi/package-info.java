/**
 * What a mail server vendor implements to embed auto-migration: the legacy server connection, the
 * local mailboxes, account provisioning, and (optionally) where migration state and checkpoints live.
 */
@NullMarked
package org.mailsync.migration.spi;

import org.jspecify.annotations.NullMarked;
