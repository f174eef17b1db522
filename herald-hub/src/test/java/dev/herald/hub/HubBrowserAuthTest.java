package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.server.browser.Chromium;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.hub.auth.DevKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The hub as {@code herald serve} assembles it (real JWT auth, HS256), seen from real browser
 * pages: each subscribes with {@code EventSource} to the URI template
 * {@code https://example.com/books/{id}}, one with no token, one with a {@code mercureAuthorization}
 * cookie allowing that template, one with a cookie for another template; a publisher posts with
 * its JWT, and each page receives exactly the updates it may, with the published id as
 * {@code lastEventId}.
 */
@Timeout(90)
class HubBrowserAuthTest {
  private static final String SECRET = "browser-test-hs256-secret-0123456789abcdef";
  private static final String BOOKS = "https://example.com/books/{id}";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Hub running;
  private static HubClient client;
  private static String publisherToken;
  /** Fresh profiles: no cookie, the right token, a token for other topics. */
  private static Browser anonymous;
  private static Browser authorised;
  private static Browser otherTopics;

  /** One headless Chromium with its own profile (its own cookie jar). */
  static final class Browser implements AutoCloseable {
    final Chromium.Session session;
    final ChromeDriver driver;

    Browser() throws IOException {
      session = Chromium.open(false);
      driver = session.driver();
    }

    Object script(String js, Object... args) {
      return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Opens the hub's origin, sets the cookie if any, and subscribes with EventSource. */
    void subscribe(String base, String cookieToken, String query) {
      driver.get(base + "/healthz");
      if (cookieToken != null) {
        driver.manage().addCookie(new Cookie.Builder("mercureAuthorization", cookieToken).path("/").isHttpOnly(true).build());
      }
      script("window.received = []; window.opened = false; window.failures = 0;"
          + "const es = new EventSource('" + Hub.PATH + "?' + arguments[0], {withCredentials: true});"
          + "es.onopen = () => { window.opened = true; };"
          + "es.onmessage = e => window.received.push({type: e.type, data: e.data, lastEventId: e.lastEventId});"
          + "es.onerror = () => { window.failures++; };"
          + "window.es = es;", query);
    }

    boolean opened() {
      return Boolean.TRUE.equals(script("return window.opened === true;"));
    }

    long failures() {
      return ((Number) script("return window.failures;")).longValue();
    }

    List<Received> received() throws IOException {
      String json = (String) script("return JSON.stringify(window.received);");
      return JSON.readValue(json, new TypeReference<List<Received>>() {});
    }

    @Override
    public void close() throws IOException {
      session.close();
    }
  }

  /** One {@code MessageEvent} as the page saw it. */
  record Received(String type, String data, String lastEventId) {}

  @BeforeAll
  static void start() throws Exception {
    // Settings as herald serve makes them from its options, so the test follows new settings as they come.
    HubSettings settings = ServeArgs.settings("--bind", "127.0.0.1", "--port", "0", "--jwt-algorithm", "HS256",
        "--publisher-key", SECRET, "--anonymous", "--store", "memory", "--demo=false");
    assertThat(settings.devMode()).isFalse();
    assertThat(settings.anonymousSubscribers()).isTrue();
    running = Hub.start(settings, null, System.out);
    client = new HubClient(running.port());
    byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
    Instant expiry = Instant.now().plus(Duration.ofHours(1));
    publisherToken = DevKeys.hs256Token(key, List.of("https://example.com/{+path}"), List.of(), expiry);

    // Three browsers start in parallel: each is a second or two.
    CompletableFuture<Browser> a = CompletableFuture.supplyAsync(HubBrowserAuthTest::newBrowser);
    CompletableFuture<Browser> b = CompletableFuture.supplyAsync(HubBrowserAuthTest::newBrowser);
    CompletableFuture<Browser> c = CompletableFuture.supplyAsync(HubBrowserAuthTest::newBrowser);
    try {
      anonymous = a.get(60, TimeUnit.SECONDS);
    } finally {
      authorised = b.get(60, TimeUnit.SECONDS);
      otherTopics = c.get(60, TimeUnit.SECONDS);
    }
  }

  private static Browser newBrowser() {
    try {
      return new Browser();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    List<Exception> failures = new ArrayList<>();
    for (Browser b : new Browser[] {anonymous, authorised, otherTopics}) {
      if (b == null) continue;
      try {
        b.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (running != null) running.close();
    if (!failures.isEmpty()) throw failures.get(0);
  }

  @Test
  void eachPageReceivesExactlyTheUpdatesItMayWithThePublishedIdAsLastEventId() throws Exception {
    String base = client.base;
    byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
    Instant expiry = Instant.now().plus(Duration.ofHours(1));
    String booksSubscriber = DevKeys.hs256Token(key, List.of(), List.of(BOOKS), expiry);
    String authorsSubscriber = DevKeys.hs256Token(key, List.of(), List.of("https://example.com/authors/{id}"), expiry);
    String query = "topic=" + java.net.URLEncoder.encode(BOOKS, StandardCharsets.UTF_8);

    int before = running.server().broker().connectionCount();
    anonymous.subscribe(base, null, query);
    authorised.subscribe(base, booksSubscriber, query);
    otherTopics.subscribe(base, authorsSubscriber, query);
    await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.opened() && authorised.opened() && otherTopics.opened()
        && running.server().broker().connectionCount() == before + 3);

    String publicBook = publish("topic", "https://example.com/books/1", "data", "book 1, public");
    String privateBook = publish("topic", "https://example.com/books/2", "data", "book 2, private", "private", "on");
    String author = publish("topic", "https://example.com/authors/1", "data", "author 1, public");
    String privateAuthor = publish("topic", "https://example.com/authors/2", "data", "author 2, private", "private", "on");
    // Last: once a page has this public update, it has had every earlier one it was going to get.
    String fence = publish("topic", "https://example.com/books/3", "data", "book 3, public");
    assertThat(List.of(publicBook, privateBook, author, privateAuthor, fence)).doesNotHaveDuplicates();

    for (Browser b : List.of(anonymous, authorised, otherTopics)) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> b.received().stream().anyMatch(r -> r.lastEventId().equals(fence)));
    }

    Received book1 = new Received("message", "book 1, public", publicBook);
    Received book2 = new Received("message", "book 2, private", privateBook);
    Received book3 = new Received("message", "book 3, public", fence);
    // No token: public updates matching the template only.
    assertThat(anonymous.received()).containsExactly(book1, book3);
    // The right token: the private update on a topic its template covers, too.
    assertThat(authorised.received()).containsExactly(book1, book2, book3);
    // A valid token for other topics opens none of these private updates.
    assertThat(otherTopics.received()).containsExactly(book1, book3);
    for (Browser b : List.of(anonymous, authorised, otherTopics)) {
      assertThat(b.failures()).as("no stream errors or reconnections").isZero();
      assertThat(b.opened()).isTrue();
    }

    // The browser resumes where it left off: a new EventSource with the cookie and Last-Event-ID
    // of the first update replays the rest it may see, from history.
    authorised.script("window.es.close();");
    // As a page writes it: new URLSearchParams({lastEventID}) percent-encodes the id's "#".
    authorised.subscribe(base, booksSubscriber, query + "&lastEventID=" + java.net.URLEncoder.encode(publicBook, StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> authorised.received().stream().anyMatch(r -> r.lastEventId().equals(fence)));
    assertThat(authorised.received()).containsExactly(book2, book3);
  }

  @Test
  void aPageWithAnInvalidTokenCookieIsRefused() throws Exception {
    // Signed with another secret: the hub answers 401 and the EventSource fails; no updates leak.
    byte[] otherKey = "another-secret-entirely-0123456789abcdefgh".getBytes(StandardCharsets.UTF_8);
    String forged = DevKeys.hs256Token(otherKey, List.of(), List.of("*"), Instant.now().plus(Duration.ofHours(1)));
    String query = "topic=" + java.net.URLEncoder.encode(BOOKS, StandardCharsets.UTF_8);
    otherTopics.subscribe(client.base, forged, query);
    await().atMost(Duration.ofSeconds(30)).until(() -> otherTopics.failures() > 0);
    assertThat(((Number) otherTopics.script("return window.es.readyState;")).intValue())
        .as("EventSource.CLOSED: a 401 is not retried").isEqualTo(2);
    publish("topic", "https://example.com/books/9", "data", "secret", "private", "on");
    assertThat(otherTopics.opened()).isFalse();
    assertThat(otherTopics.received()).isEmpty();
    otherTopics.driver.manage().deleteAllCookies();
  }

  private static String publish(String... form) throws Exception {
    HttpResponse<String> r = client.publish(publisherToken, form);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body().trim();
  }

}
