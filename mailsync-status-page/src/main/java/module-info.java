/**
 * A live status page for a running migration: {@link org.mailsync.status.StatusServer} serves one
 * HTML page and its JSON over the JDK's own HTTP server, fed by a {@link
 * org.mailsync.status.StatusView}. Exports only {@code org.mailsync.status}.
 */
module org.mailsync.status {
    requires transitive org.mailsync.core;
    requires jdk.httpserver;
    requires static transitive org.jspecify;

    exports org.mailsync.status;
}
