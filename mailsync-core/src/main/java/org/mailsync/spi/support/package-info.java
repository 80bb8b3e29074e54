/**
 * Helpers that store implementations share (locks, dates): tested once here instead of copied into
 * each store. Not used by the engine.
 */
@NullMarked
package org.mailsync.spi.support;

import org.jspecify.annotations.NullMarked;
