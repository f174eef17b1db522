package dev.herald.spring;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * A page in headless Chromium with Herald's test recorder ({@code /browser/recorder.js}, from
 * herald-server's tests): {@code EventSource} objects opened by name, and what each received.
 */
final class BrowserPage {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String RECORDER = resource("/browser/recorder.js");

  /** One {@code MessageEvent} as the page saw it. */
  record Received(String type, String data, String lastEventId) {}

  private final WebDriver driver;

  private BrowserPage(WebDriver driver) {
    this.driver = driver;
  }

  static BrowserPage load(WebDriver driver, String url) {
    driver.get(url);
    BrowserPage page = new BrowserPage(driver);
    page.js(RECORDER);
    return page;
  }

  /** {@code new EventSource(url)} listening to {@code message} and to the named {@code types}. */
  BrowserPage open(String name, String url, String... types) {
    js("herald.open(arguments[0], arguments[1], arguments[2], false)", name, url, List.of(types));
    return this;
  }

  List<Received> received(String name) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> raw = (List<Map<String, Object>>) js("return herald.received(arguments[0])", name);
    return raw.stream().map(m -> new Received((String) m.get("type"), (String) m.get("data"),
        (String) m.get("lastEventId"))).toList();
  }

  /** {@code "open OPEN"}, {@code "error CONNECTING"}, in order. */
  @SuppressWarnings("unchecked")
  List<String> callbacks(String name) {
    return (List<String>) js("return herald.callbacks(arguments[0])", name);
  }

  static ConditionFactory eventually() {
    return Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50));
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private static String resource(String path) {
    try (InputStream in = BrowserPage.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing test resource " + path + " (herald-server's test jar)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
