/** What the examples share: verifying a migration, throttling a store, the demo's sample mailbox. */
@NullMarked
package org.mailsync.examples;

import org.jspecify.annotations.NullMarked;
