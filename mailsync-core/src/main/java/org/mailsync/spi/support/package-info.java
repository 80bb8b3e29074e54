/**
 * Helpers that store implementations share (dot-locks, lenient date parsing of real mail): tested
 * once here instead of copied into each store. Not used by the engine.
 */
@NullMarked
package org.mailsync.spi.support;

import org.jspecify.annotations.NullMarked;
