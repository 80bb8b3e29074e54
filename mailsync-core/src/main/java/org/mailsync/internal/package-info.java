/** Implementation details of mailsync-core; not a public API. */
@NullMarked
package org.mailsync.internal;

import org.jspecify.annotations.NullMarked;
