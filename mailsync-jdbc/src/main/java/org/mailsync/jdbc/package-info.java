/**
 * mailsync's shared state on PostgreSQL: {@link org.mailsync.jdbc.Schema} creates the tables,
 * {@link org.mailsync.jdbc.MailboxLeases} hands out fenced leases per mailbox, and the stores over
 * them keep checkpoints, migration states and sealed secrets. See {@code JDBC.md} beside the code.
 */
@NullMarked
package org.mailsync.jdbc;

import org.jspecify.annotations.NullMarked;
