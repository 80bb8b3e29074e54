package org.mailsync.jdbc.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {
    @Test
    void aServerIsReachableByUrlAndGoneWithItsFilesAfterClose() throws Exception {
        Path data;
        String url;
        try (PostgresServer pg = PostgresServer.start()) {
            url = pg.url();
            try (Connection c = DriverManager.getConnection(url, pg.user(), "");
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery("select current_database(), current_setting('server_version_num')::int")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(PostgresServer.DATABASE);
                assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(150000);
            }
            data = pg.directory();
            assertThat(Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)).isTrue();
        }
        assertThat(Files.exists(data, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThatThrownBy(
                        () -> DriverManager.getConnection(url, "postgres", "").close())
                .isInstanceOf(java.sql.SQLException.class);
    }

    @Test
    void withoutPostgreSqlStartFailsSayingWhatToInstall(@TempDir Path empty) {
        String before = System.getProperty(PostgresServer.BIN_PROPERTY);
        System.setProperty(PostgresServer.BIN_PROPERTY, empty.toString());
        try {
            assertThatThrownBy(PostgresServer::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("initdb")
                    .hasMessageContaining(".ci/install-test-deps");
        } finally {
            if (before == null) {
                System.clearProperty(PostgresServer.BIN_PROPERTY);
            } else {
                System.setProperty(PostgresServer.BIN_PROPERTY, before);
            }
        }
    }
}
