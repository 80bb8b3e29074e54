package org.mailsync.cluster;

import java.io.IOException;
import java.util.List;
import javax.sql.DataSource;
import org.mailsync.jdbc.Schema;

/**
 * Creates and upgrades the cluster's tables: db-scheduler's {@code scheduled_tasks}, the account
 * rows, host slots, throughput and events, as a component of mailsync-jdbc's {@link Schema} (its
 * versioned scripts, applied once under an advisory lock), after mailsync-jdbc's own tables.
 *
 * <p>Thread-safe (stateless).
 */
public final class ClusterSchema {
    /** The component name under which the cluster's scripts are recorded. */
    public static final String COMPONENT = "mailsync-cluster";

    /** Script n is version n; each is a resource beside this class. */
    private static final List<String> SCRIPTS = List.of("V1__cluster.sql");

    private ClusterSchema() {}

    /**
     * Brings mailsync-jdbc's schema and then the cluster's to their latest versions; safe to call
     * on every start of every node.
     *
     * @return the cluster schema's version afterwards
     * @throws IOException if the database cannot be reached or holds a newer schema
     */
    public static int apply(DataSource db) throws IOException {
        Schema.migrate(db);
        return Schema.migrate(db, COMPONENT, ClusterSchema.class, SCRIPTS);
    }
}
