package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.browser.Chromium;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Herald as an existing Mercure user meets it: a hub started as {@code herald serve} with the
 * reference hub's development secret over HTTPS, real Chromium pages subscribing with
 * {@code EventSource} and the cookies Mercure documents, and a publisher posting form bodies with
 * tokens written the way the Mercure documentation and specification write them (see {@link
 * MercureTokens}): a 0.x {@code mercure} claim without {@code exp}, and 1.0 RFC 9068 access tokens
 * ({@code typ: at+jwt}, {@code iss}, {@code aud}, {@code exp}, {@code authorization_details} of
 * type {@code https://mercure.rocks/authorization-detail} with {@code match_type}). Every page must
 * receive exactly the public updates it selects and the private ones its token allows, and every
 * publish answer's body must be exactly the update's id.
 */
@Timeout(120)
class MercureInteropBrowserTest {
  /** The reference hub's development key (its documentation and Docker image use it). */
  private static final String SECRET = "!ChangeThisMercureHubJWTSecretKey!";
  private static final String ISSUER = "https://example.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Hub running;
  private static String base;
  private static HttpClient http;
  private static Page anonymous;
  private static Page legacySubscriber;
  private static Page accessTokenSubscriber;
  private static Page otherUser;

  /** One headless Chromium with its own profile (its own cookie jar), on one hub page. */
  static final class Page implements AutoCloseable {
    final Chromium.Session session;
    final ChromeDriver driver;

    Page() throws IOException {
      session = Chromium.open(true); // the hub's certificate is self-signed
      driver = session.driver();
    }

    Object script(String js, Object... args) {
      return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Opens a page of the hub, sets the cookie if any, and subscribes with {@code EventSource}. */
    void subscribe(String cookieName, String token, String query) {
      driver.get(base + "/healthz");
      if (token != null) {
        driver.manage().addCookie(new Cookie.Builder(cookieName, token).path(Hub.PATH).isHttpOnly(true).isSecure(true)
            .sameSite("Strict").build());
      }
      script("window.received = []; window.opened = false; window.failures = 0;"
          + "const es = new EventSource('" + Hub.PATH + "?' + arguments[0], {withCredentials: true});"
          + "es.onopen = () => { window.opened = true; };"
          + "const record = e => window.received.push({type: e.type, data: e.data, lastEventId: e.lastEventId});"
          + "es.onmessage = record; es.addEventListener('notification', record);"
          + "es.onerror = () => { window.failures++; };", query);
    }

    boolean opened() {
      return Boolean.TRUE.equals(script("return window.opened === true;"));
    }

    long failures() {
      return ((Number) script("return window.failures;")).longValue();
    }

    List<Received> received() throws IOException {
      return JSON.readValue((String) script("return JSON.stringify(window.received);"), new TypeReference<List<Received>>() {});
    }

    @Override
    public void close() throws IOException {
      session.close();
    }
  }

  /** One {@code MessageEvent} as a page saw it. */
  record Received(String type, String data, String lastEventId) {}

  @BeforeAll
  static void start() throws Exception {
    running = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--dev-tls", "--publisher-key", SECRET,
        "--anonymous", "--store", "memory", "--demo=false");
    base = "https://localhost:" + running.port();
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), new SecureRandom());
    http = HttpClient.newBuilder().sslContext(tls).build();
    List<CompletableFuture<Page>> pages = new ArrayList<>();
    for (int i = 0; i < 4; i++) pages.add(CompletableFuture.supplyAsync(MercureInteropBrowserTest::newPage));
    try {
      anonymous = pages.get(0).get(60, TimeUnit.SECONDS);
    } finally {
      legacySubscriber = pages.get(1).get(60, TimeUnit.SECONDS);
      accessTokenSubscriber = pages.get(2).get(60, TimeUnit.SECONDS);
      otherUser = pages.get(3).get(60, TimeUnit.SECONDS);
    }
  }

  private static Page newPage() {
    try {
      return new Page();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    List<Exception> failures = new ArrayList<>();
    for (Page p : new Page[] {anonymous, legacySubscriber, accessTokenSubscriber, otherUser}) {
      if (p == null) continue;
      try {
        p.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (running != null) running.close();
    if (!failures.isEmpty()) throw failures.get(0);
  }

  /** A 0.x token as the reference hub's documentation shows it: a mercure claim, no exp. */
  private static String legacyToken(String mercureClaim) {
    return MercureTokens.hs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"mercure\":" + mercureClaim + "}", SECRET);
  }

  /** A 1.0 access token as RFC 9068 and the Mercure 1.0 documentation write it. */
  private static String accessToken(String subject, String authorizationDetails) {
    long now = Instant.now().getEpochSecond();
    String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"client_id\":\"" + ISSUER + "\","
        + "\"iat\":" + now + ",\"aud\":\"" + base + Hub.PATH + "\",\"exp\":" + (now + 3600) + ","
        + "\"jti\":\"urn:uuid:" + UUID.randomUUID() + "\",\"authorization_details\":" + authorizationDetails + "}";
    return MercureTokens.hs256("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", claims, SECRET);
  }

  private static String detail(String actions, String topics) {
    return "{\"type\":\"https://mercure.rocks/authorization-detail\",\"actions\":" + actions + ",\"topics\":" + topics + "}";
  }

  @Test
  void pagesReceiveExactlyThePublicAndAuthorisedPrivateUpdatesPublishedWithMercureTokens() throws Exception {
    String legacyPublisher = legacyToken("{\"publish\":[\"*\"]}");
    String accessPublisher = accessToken("https://example.com/publisher",
        "[" + detail("[\"publish\"]", "[{\"match\":\"*\"}]") + "]");
    String legacySubscriberToken = legacyToken("{\"subscribe\":[\"https://example.com/books/{id}\"]}");
    String user42 = accessToken("https://example.com/users/42", "[" + detail("[\"subscribe\"]",
        "[{\"match\":\"https://example.com/users/42/notifications\"},"
            + "{\"match\":\"https://example.com/books/:id\",\"match_type\":\"urlpattern\"}]") + "]");
    String user7 = accessToken("https://example.com/users/7", "[" + detail("[\"subscribe\"]",
        "[{\"match\":\"https://example.com/users/7/notifications\"}]") + "]");

    // The 0.x query (topic=, URI templates, a raw string) and the 1.0 one (match=, match_urlpattern=).
    String legacyQuery = "topic=" + enc("https://example.com/books/{id}") + "&topic=" + enc("chat-room-1");
    String accessQuery = "match=" + enc("https://example.com/users/42/notifications") + "&match=" + enc("chat-room-1")
        + "&match_urlpattern=" + enc("https://example.com/books/:id");
    String otherQuery = "match=" + enc("https://example.com/users/42/notifications")
        + "&match_urlpattern=" + enc("https://example.com/books/:id");
    int before = running.server().broker().connectionCount();
    anonymous.subscribe(null, null, legacyQuery);
    legacySubscriber.subscribe("mercureAuthorization", legacySubscriberToken, legacyQuery);
    accessTokenSubscriber.subscribe("__Secure-mercure_access_token", user42, accessQuery);
    otherUser.subscribe("__Secure-mercure_access_token", user7, otherQuery);
    List<Page> pages = List.of(anonymous, legacySubscriber, accessTokenSubscriber, otherUser);
    await().atMost(Duration.ofSeconds(30)).until(() -> pages.stream().allMatch(Page::opened)
        && running.server().broker().connectionCount() == before + 4);

    String publicBook = publish(legacyPublisher, null, "topic", "https://example.com/books/1", "data", "{\"title\":\"Dune\"}");
    String privateBook = publish(legacyPublisher, null, "topic", "https://example.com/books/2", "data", "book 2",
        "private", "on");
    String chosenId = "urn:uuid:" + UUID.randomUUID();
    String notification = publish(accessPublisher, chosenId, "topic", "https://example.com/users/42/notifications",
        "data", "you have mail", "private", "on", "id", chosenId, "type", "notification");
    String chat = publish(accessPublisher, null, "topic", "chat-room-1", "data", "hello\nworld");
    String privateElsewhere = publish(accessPublisher, null, "topic", "https://example.com/authors/1", "data", "nobody",
        "private", "on");
    // Last: once a page has it, it has every earlier update it was going to get.
    String fence = publish(legacyPublisher, null, "topic", "https://example.com/books/3", "data", "book 3");
    assertThat(List.of(publicBook, privateBook, notification, chat, privateElsewhere, fence)).doesNotHaveDuplicates();

    for (Page p : pages) {
      await().atMost(Duration.ofSeconds(30)).until(() -> p.received().stream().anyMatch(r -> r.lastEventId().equals(fence)));
    }
    Received book1 = new Received("message", "{\"title\":\"Dune\"}", publicBook);
    Received book2 = new Received("message", "book 2", privateBook);
    Received mail = new Received("notification", "you have mail", chosenId);
    Received hello = new Received("message", "hello\nworld", chat);
    Received book3 = new Received("message", "book 3", fence);
    assertThat(anonymous.received()).containsExactly(book1, hello, book3);
    // The 0.x cookie and template grant the private book.
    assertThat(legacySubscriber.received()).containsExactly(book1, book2, hello, book3);
    // The 1.0 cookie: its URL pattern grants the private book, its exact matcher the notification.
    assertThat(accessTokenSubscriber.received()).containsExactly(book1, book2, mail, hello, book3);
    // Another user's valid token selects the same topics but opens none of these private updates.
    assertThat(otherUser.received()).containsExactly(book1, book3);
    for (Page p : pages) {
      assertThat(p.failures()).as("no stream errors or reconnections").isZero();
    }
  }

  /** Publishes a form body; the answer must be 200 text/plain whose body is exactly the id. */
  private static String publish(String token, String expectedId, String... form) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + Hub.PATH))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(HubClient.form(form))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(r.body()).isNotBlank().doesNotContain("\n", "\r");
    if (expectedId != null) assertThat(r.body()).isEqualTo(expectedId);
    return r.body();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
