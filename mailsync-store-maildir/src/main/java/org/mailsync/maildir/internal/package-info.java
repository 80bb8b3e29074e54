/** File formats and helpers of the Maildir store; not a public API. */
@NullMarked
package org.mailsync.maildir.internal;

import org.jspecify.annotations.NullMarked;
