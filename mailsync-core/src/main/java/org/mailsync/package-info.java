/** The public API of mailsync: value types shared by every store and the sync engine. */
@NullMarked
package org.mailsync;

import org.jspecify.annotations.NullMarked;
