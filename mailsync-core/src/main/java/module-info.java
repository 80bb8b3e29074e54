/**
 * mailsync's core: the value types and errors, the sync engine and its checkpoints, the store SPI
 * with the helpers stores share, auto-migration and its vendor SPI, and the in-memory store.
 *
 * <p>{@code org.mailsync.internal} (the engine's parts, the checkpoint codec) is not exported.
 * Guava is required transitively: its immutable collections appear in the API; so are the JSpecify
 * annotations, statically (needed to compile against the API, not to run it).
 */
module org.mailsync.core {
    requires transitive com.google.common;
    requires org.slf4j;
    requires java.naming;
    requires static transitive org.jspecify;

    exports org.mailsync;
    exports org.mailsync.spi;
    exports org.mailsync.spi.support;
    exports org.mailsync.migration;
    exports org.mailsync.migration.spi;
    exports org.mailsync.memory;
}
