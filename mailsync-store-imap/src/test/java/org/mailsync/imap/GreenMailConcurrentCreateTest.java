package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;

/**
 * GreenMail answers a CREATE of an existing folder with a plain NO, not RFC 5530's
 * [ALREADYEXISTS]: several folder workers creating one shared parent at once must all succeed.
 */
class GreenMailConcurrentCreateTest {
    @RegisterExtension
    final GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @Test
    void workersCreatingTheSameParentAtOnceAllSucceed() throws Exception {
        greenMail.setUser("carl@example.org", "carl", "pw-carl");
        try (ImapStore store = ImapStore.builder()
                .host("127.0.0.1")
                .port(greenMail.getImap().getPort())
                .security(Security.NONE)
                .username("carl")
                .password("pw-carl".toCharArray())
                .maxConnections(8)
                .readTimeout(Duration.ofSeconds(30))
                .connect()) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                FolderPath path = FolderPath.of("Projekte", "2024", "Teil " + i);
                results.add(pool.submit(() -> {
                    go.await();
                    store.createFolder(path);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> result : results) {
                result.get();
            }
            pool.shutdown();
            assertThat(store.listFolders())
                    .extracting(FolderInfo::path)
                    .contains(
                            FolderPath.of("Projekte"),
                            FolderPath.of("Projekte", "2024"),
                            FolderPath.of("Projekte", "2024", "Teil 5"));
        }
    }
}
