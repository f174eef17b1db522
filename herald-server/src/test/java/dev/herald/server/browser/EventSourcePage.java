package dev.herald.server.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The browser side of a test: {@code EventSource} objects opened by name on the current page, and
 * what each one received, read back from the page. Every event lands in the page's record whatever
 * its type, with its {@code lastEventId}; {@code open} and {@code error} callbacks are recorded
 * with the {@code readyState} they saw.
 */
final class EventSourcePage {
  /** Longest wait for anything a test expects from the browser or the server. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final String RECORDER = resource("/browser/recorder.js");

  /** One {@code MessageEvent} as the page saw it. */
  record Received(String type, String data, String lastEventId) {}

  private final WebDriver driver;

  private EventSourcePage(WebDriver driver) {
    this.driver = driver;
  }

  /** Loads {@code url} and installs the recorder on it. */
  static EventSourcePage load(WebDriver driver, String url) {
    driver.get(url);
    EventSourcePage page = new EventSourcePage(driver);
    page.js(RECORDER);
    return page;
  }

  /** {@code new EventSource(url)} listening to {@code message} and to the named {@code types}. */
  EventSourcePage open(String name, String url, String... types) {
    js("herald.open(arguments[0], arguments[1], arguments[2], false)", name, url, List.of(types));
    return this;
  }

  /** The same with {@code {withCredentials: true}}. */
  EventSourcePage openWithCredentials(String name, String url, String... types) {
    js("herald.open(arguments[0], arguments[1], arguments[2], true)", name, url, List.of(types));
    return this;
  }

  List<Received> received(String name) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> raw = (List<Map<String, Object>>) js("return herald.received(arguments[0])", name);
    return toReceived(raw);
  }

  /** What every source opened on this page received, by name, read in one round trip. */
  Map<String, List<Received>> receivedByName() {
    @SuppressWarnings("unchecked")
    Map<String, List<Map<String, Object>>> raw =
        (Map<String, List<Map<String, Object>>>) js("return herald.receivedAll()");
    Map<String, List<Received>> result = new TreeMap<>();
    raw.forEach((name, events) -> result.put(name, toReceived(events)));
    return result;
  }

  /** The ids of what {@code name} received, in order. */
  List<String> receivedIds(String name) {
    return received(name).stream().map(Received::lastEventId).toList();
  }

  /** {@code "open OPEN"}, {@code "error CONNECTING"}, {@code "error CLOSED"}, in order. */
  @SuppressWarnings("unchecked")
  List<String> callbacks(String name) {
    return (List<String>) js("return herald.callbacks(arguments[0])", name);
  }

  /** {@code CONNECTING}, {@code OPEN} or {@code CLOSED}. */
  String readyState(String name) {
    return (String) js("return herald.readyState(arguments[0])", name);
  }

  /** Awaitility, bounded, polling the page often: a page read is a cheap local round trip. */
  static ConditionFactory eventually() {
    return Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25));
  }

  /** Evaluates a script on the page. */
  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private static List<Received> toReceived(List<Map<String, Object>> raw) {
    return raw.stream()
        .map(m -> new Received((String) m.get("type"), (String) m.get("data"), (String) m.get("lastEventId")))
        .toList();
  }

  private static String resource(String path) {
    try (InputStream in = EventSourcePage.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing test resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
