/** Short programs to copy into your own code, one task each. */
@NullMarked
package org.mailsync.examples.templates;

import org.jspecify.annotations.NullMarked;
