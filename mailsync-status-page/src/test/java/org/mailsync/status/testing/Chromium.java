package org.mailsync.status.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Starts Debian's Chromium under WebDriver for a test: headless, with its own empty profile, and
 * with the background services off that this closed network refuses. Fails, never skips, when
 * {@code chromium} or {@code chromedriver} is not on the PATH ({@code .ci/install-test-deps}
 * installs both). Shared through this module's test-jar with the CLI's end-to-end test of
 * {@code mailsync cluster serve}.
 */
public final class Chromium {
    private Chromium() {}

    /** A headless Chromium with {@code profile} as its own, empty user-data directory. */
    public static ChromeDriver start(Path profile) throws IOException {
        Path browser = onPath("chromium");
        Path driver = onPath("chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-proxy-server",
                "--window-size=1280,1100",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        chrome.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return chrome;
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, program);
                // Following links is right here: Debian installs both programs as links to the real
                // binaries, and these are programs to run, not a mail source read for its content.
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError(program + " is not on the PATH (" + path + "): the status page is tested in a real"
                + " Chromium; install Debian's chromium and chromium-driver (.ci/install-test-deps does)");
    }
}
