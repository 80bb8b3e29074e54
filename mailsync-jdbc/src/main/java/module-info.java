/**
 * Shared state on PostgreSQL for running mailsync on many machines: fenced mailbox leases, a
 * checkpoint store and a migration state store over them, sealed account secrets, and the schema.
 * Exports only {@code org.mailsync.jdbc}.
 *
 * <p>The PostgreSQL driver is an automatic module (its jar names itself {@code org.postgresql.jdbc}
 * but has no module-info); it is required so that it is in the module graph when Hikari asks
 * {@code DriverManager} for the driver of a {@code jdbc:postgresql:} URL.
 */
@SuppressWarnings("requires-automatic")
module org.mailsync.jdbc {
    requires transitive org.mailsync.core;
    requires transitive java.sql;
    requires com.google.common;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports org.mailsync.jdbc;
}
