/**
 * The status page: {@link org.mailsync.status.StatusView} is what a migration runner implements
 * (accounts per state, running mailboxes, throughput, failures, retry), {@link
 * org.mailsync.status.StatusSnapshot} and its parts are the immutable values it returns, and
 * {@link org.mailsync.status.StatusServer} serves them as a live web page.
 */
@NullMarked
package org.mailsync.status;

import org.jspecify.annotations.NullMarked;
