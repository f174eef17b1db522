package dev.herald.server.browser;

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
 * One headless Debian Chromium per test class, driven through {@code /usr/bin/chromedriver}.
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
public final class Chromium implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /**
   * Bounds every WebDriver call: page loads, scripts and the driver's own HTTP calls, the start of
   * a session included. Generous: on a loaded 2-core machine (two test runs at once, load 20)
   * starting Chromium took more than 20 s, and a timeout here fails a test for no fault of Herald.
   */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private final boolean ignoreCertificateErrors;
  private Session session;

  private Chromium(boolean ignoreCertificateErrors) {
    this.ignoreCertificateErrors = ignoreCertificateErrors;
  }

  public static Chromium headless() {
    return new Chromium(false);
  }

  /** For pages and streams served with a self-signed certificate. */
  public static Chromium headlessIgnoringCertificateErrors() {
    return new Chromium(true);
  }

  public WebDriver driver() {
    if (session == null) throw new IllegalStateException("Chromium is not running");
    return session.driver();
  }

  /**
   * A browser of its own (its own profile, so its own cookie jar) outside the extension's
   * lifecycle, for a test that needs several at once. Close it.
   */
  public static Session open(boolean ignoreCertificateErrors) throws IOException {
    requireExecutable(BROWSER, "chromium");
    requireExecutable(DRIVER, "chromium-driver");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
    Path profile = Files.createTempDirectory("herald-chromium-");
    List<String> args = new ArrayList<>(List.of(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars", "--user-data-dir=" + profile));
    if (ignoreCertificateErrors) args.add("--ignore-certificate-errors");
    ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments(args);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .withTimeout(COMMAND_TIMEOUT)
        .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options, ClientConfig.defaultConfig()
          .connectionTimeout(COMMAND_TIMEOUT)
          .readTimeout(COMMAND_TIMEOUT));
      driver.manage().timeouts()
          .pageLoadTimeout(COMMAND_TIMEOUT)
          .scriptTimeout(COMMAND_TIMEOUT);
      return new Session(profile, service, driver);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
  }

  /** One running browser: its driver, its driver service and its profile directory. */
  public static final class Session implements AutoCloseable {
    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Session(Path profile, ChromeDriverService service, ChromeDriver driver) {
      this.profile = profile;
      this.service = service;
      this.driver = driver;
    }

    public ChromeDriver driver() {
      return driver;
    }

    @Override
    public void close() throws IOException {
      try {
        driver.quit();
      } finally {
        service.stop();
        deleteTree(profile);
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    session = open(ignoreCertificateErrors);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (session != null) session.driver().get("about:blank");
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (session != null) session.close();
    } finally {
      session = null;
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
