package dev.herald.hub.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;

/**
 * One headless Debian Chromium per test class (a copy of herald-server's test helper, at a laptop-sized window), driven through {@code /usr/bin/chromedriver}.
 *
 * <pre>{@code
 * @RegisterExtension static final Chromium chromium = Chromium.headless();
 * }</pre>
 *
 * <p>Both executables are given explicitly so Selenium Manager never looks for a driver on the
 * network. A missing browser fails the class with the command that installs it: these tests are
 * the server's browser conformance check, and a skipped check would read as a passed one. After
 * each test the browser goes to {@code about:blank}, which closes every {@code EventSource} the
 * test left open.
 */
final class Chromium implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Bounds every WebDriver call: page loads, scripts and the driver's own HTTP calls. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

  private final boolean ignoreCertificateErrors;
  private Path profile;
  private ChromeDriverService service;
  private ChromeDriver driver;

  private Chromium(boolean ignoreCertificateErrors) {
    this.ignoreCertificateErrors = ignoreCertificateErrors;
  }

  static Chromium headless() {
    return new Chromium(false);
  }

  /** For pages and streams served with a self-signed certificate. */
  static Chromium headlessIgnoringCertificateErrors() {
    return new Chromium(true);
  }

  WebDriver driver() {
    if (driver == null) throw new IllegalStateException("Chromium is not running");
    return driver;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    requireExecutable(BROWSER, "chromium");
    requireExecutable(DRIVER, "chromium-driver");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
    profile = Files.createTempDirectory("herald-chromium-");
    List<String> args = new ArrayList<>(List.of(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars", "--user-data-dir=" + profile));
    if (ignoreCertificateErrors) args.add("--ignore-certificate-errors");
    ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments(args);
    service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .withTimeout(COMMAND_TIMEOUT)
        .build();
    driver = new ChromeDriver(service, options, ClientConfig.defaultConfig()
        .connectionTimeout(COMMAND_TIMEOUT)
        .readTimeout(COMMAND_TIMEOUT));
    driver.manage().timeouts()
        .pageLoadTimeout(COMMAND_TIMEOUT)
        .scriptTimeout(COMMAND_TIMEOUT);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (driver != null) driver.get("about:blank");
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (driver != null) driver.quit();
    } finally {
      driver = null;
      if (service != null) service.stop();
      if (profile != null) deleteTree(profile);
    }
  }

  private static void requireExecutable(Path path, String debianPackage) {
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("the browser tests need " + path + " (Debian package " + debianPackage
          + "), which is missing: run ./test, or apt-get install -y chromium chromium-driver");
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
