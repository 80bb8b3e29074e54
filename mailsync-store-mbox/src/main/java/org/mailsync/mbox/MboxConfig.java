package org.mailsync.mbox;

import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.mailsync.MessageSpool;

/** The settings of one {@link MboxStore}. Immutable. */
record MboxConfig(
        MboxLayout layout,
        MboxFormat writeFormat,
        @Nullable MboxFormat readFormat,
        LineEnding lineEnding,
        boolean includeThunderbirdDeleted,
        Clock clock,
        Duration lockTimeout,
        MessageSpool spool) {}
