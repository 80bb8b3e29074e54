/**
 * Migrations spread over many workers: a db-scheduler task per mailbox pass on PostgreSQL, fenced
 * leases and checkpoints from mailsync-jdbc, cluster-wide caps per legacy host, and a {@link
 * org.mailsync.migration.spi.MigrationRunner} for auto-migration on a vendor's cluster. Exports
 * {@code org.mailsync.cluster} and its {@code spi}.
 *
 * <p>db-scheduler has no module descriptor of its own (an automatic module named {@code
 * com.github.kagkarlsson.scheduler} by its manifest): hence the one suppressed warning.
 */
@SuppressWarnings("requires-automatic")
module org.mailsync.cluster {
    requires transitive org.mailsync.core;
    requires transitive java.sql;
    requires org.mailsync.imap;
    requires transitive org.mailsync.jdbc;
    requires transitive org.mailsync.status;
    requires com.google.common;
    requires com.github.kagkarlsson.scheduler;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports org.mailsync.cluster;
    exports org.mailsync.cluster.spi;
}
