/** What a deployment may replace: how a worker opens the mailboxes an account row names. */
@NullMarked
package org.mailsync.cluster.spi;

import org.jspecify.annotations.NullMarked;
