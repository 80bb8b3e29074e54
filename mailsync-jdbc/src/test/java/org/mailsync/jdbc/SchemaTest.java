package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailsync.jdbc.testing.PostgresServer;

class SchemaTest {
    private static PostgresServer pg;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    private static List<String> tables(DataSource ds) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select tablename from pg_tables where schemaname = 'public' order by tablename")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void migrateCreatesEveryTableOnceEvenWhenNodesStartTogether() throws Exception {
        String url = pg.createDatabase("together");
        try (Database a = Database.connect(url, pg.user(), new char[0], 2);
                Database b = Database.connect(url, pg.user(), new char[0], 2)) {
            assertThat(Schema.version(a.dataSource(), Schema.COMPONENT)).isZero();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    DataSource ds = (i % 2 == 0 ? a : b).dataSource();
                    done.add(pool.submit((Callable<Integer>) () -> Schema.migrate(ds)));
                }
                for (Future<Integer> f : done) {
                    assertThat(f.get()).isEqualTo(Schema.latestVersion());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(tables(a.dataSource()))
                    .containsExactly(
                            "mailsync_account_secret",
                            "mailsync_account_state",
                            "mailsync_checkpoint_journal",
                            "mailsync_checkpoint_snapshot",
                            "mailsync_lease",
                            "mailsync_schema_version",
                            "mailsync_secret_key");
            assertThat(Schema.version(b.dataSource(), Schema.COMPONENT)).isEqualTo(Schema.latestVersion());
            assertThat(Schema.migrate(b.dataSource())).isEqualTo(Schema.latestVersion());
        }
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefused() throws Exception {
        String url = pg.createDatabase("newer");
        try (Database db = Database.connect(url, pg.user(), new char[0], 2)) {
            Schema.migrate(db.dataSource());
            try (Connection c = db.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("insert into mailsync_schema_version (component, version, script, checksum)"
                        + " values ('mailsync-jdbc', 99, 'V99__future.sql', 'x')");
            }
            assertThatThrownBy(() -> Schema.migrate(db.dataSource()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("schema version 99")
                    .hasMessageContaining("newer than this mailsync's " + Schema.latestVersion());
        }
    }

    @Test
    void aScriptChangedAfterItWasAppliedIsRefused() throws Exception {
        String url = pg.createDatabase("changed");
        try (Database db = Database.connect(url, pg.user(), new char[0], 2)) {
            Schema.migrate(db.dataSource());
            try (Connection c = db.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("update mailsync_schema_version set checksum = 'old' where version = 1");
            }
            assertThatThrownBy(() -> Schema.migrate(db.dataSource()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("was changed after it was applied");
        }
    }
}
