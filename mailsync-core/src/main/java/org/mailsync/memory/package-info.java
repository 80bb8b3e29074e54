/** A complete, thread-safe mail store kept in memory: the reference implementation of the SPI, for tests and examples. */
@NullMarked
package org.mailsync.memory;

import org.jspecify.annotations.NullMarked;
