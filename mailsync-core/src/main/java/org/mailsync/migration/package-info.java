/**
 * Auto-migration for mail server vendors: migrate an account from a legacy server at its user's
 * first login (the legacy server checks the password), route mail meanwhile, and pre-stage
 * accounts in bulk. The vendor's side is behind {@link org.mailsync.migration.spi}.
 */
@NullMarked
package org.mailsync.migration;

import org.jspecify.annotations.NullMarked;
