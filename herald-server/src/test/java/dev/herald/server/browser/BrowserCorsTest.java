package dev.herald.server.browser;

import static dev.herald.server.browser.EventSourcePage.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.CorsPolicy;
import dev.herald.server.HeraldServer;
import dev.herald.server.browser.EventSourcePage.Received;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cross-origin streams as a browser enforces them: the page is served from one port, Herald from
 * another, so every stream is a CORS request the browser checks against Herald's answer.
 */
class BrowserCorsTest {
  @RegisterExtension static final Chromium chromium = Chromium.headless();


  private static PageServer pages;
  private HeraldServer server;

  @BeforeAll
  static void startPages() throws IOException {
    pages = PageServer.start();
  }

  @AfterAll
  static void stopPages() {
    if (pages != null) pages.close();
  }

  @AfterEach
  void stopServer() {
    if (server != null) server.close();
  }

  @Test
  void pageOnAnAllowedOriginReceivesEvents() throws Exception {
    start(CorsPolicy.allowOrigins("https://app.example", pages.origin()));
    EventSourcePage page = load().open("news", streamUrl("topic=news"));
    awaitSubscribers("news", 1);

    publish("news", Event.of("allowed"));

    eventually().untilAsserted(() ->
        assertThat(page.received("news")).containsExactly(new Received("message", "allowed", "#1")));
    assertThat(page.callbacks("news")).containsExactly("open OPEN");
  }

  @Test
  void pageOnAnOriginOutsideTheAllowListGetsAnErrorAndNoEvents() {
    start(CorsPolicy.allowOrigins("http://127.0.0.1:1", "https://app.example"));
    EventSourcePage page = load().open("news", streamUrl("topic=news"));

    // Herald answers 403; the browser fails the connection for good instead of retrying.
    eventually().untilAsserted(() -> assertThat(page.readyState("news")).isEqualTo("CLOSED"));
    assertThat(page.callbacks("news")).containsExactly("error CLOSED");
    assertThat(page.received("news")).isEmpty();
    assertThat(server.broker().connectionCount()).isZero();
  }

  @Test
  void defaultSameOriginPolicyRefusesAPageOnAnotherOrigin() {
    start(CorsPolicy.sameOrigin());
    EventSourcePage page = load().open("news", streamUrl("topic=news"));

    eventually().untilAsserted(() -> assertThat(page.readyState("news")).isEqualTo("CLOSED"));
    assertThat(page.callbacks("news")).containsExactly("error CLOSED");
    assertThat(page.received("news")).isEmpty();
  }

  @Test
  void anyOriginPolicyServesEveryPage() throws Exception {
    start(CorsPolicy.anyOrigin());
    EventSourcePage page = load().open("news", streamUrl("topic=news"));
    awaitSubscribers("news", 1);

    publish("news", Event.of("for anyone"));

    eventually().untilAsserted(() ->
        assertThat(page.received("news")).containsExactly(new Received("message", "for anyone", "#1")));
  }

  @Test
  void credentialedStreamWorksWhenThePolicyAllowsCredentials() throws Exception {
    start(CorsPolicy.allowOrigins(pages.origin()).withCredentials());
    EventSourcePage page = load().openWithCredentials("news", streamUrl("topic=news"));
    awaitSubscribers("news", 1);

    publish("news", Event.of("with cookies"));

    eventually().untilAsserted(() ->
        assertThat(page.received("news")).containsExactly(new Received("message", "with cookies", "#1")));
  }

  @Test
  void credentialedStreamIsRefusedByTheBrowserWhenThePolicyDoesNotAllowCredentials() {
    start(CorsPolicy.allowOrigins(pages.origin()));
    EventSourcePage page = load().openWithCredentials("news", streamUrl("topic=news"));

    // Herald streams, but without Access-Control-Allow-Credentials the browser must not use it.
    eventually().untilAsserted(() -> assertThat(page.readyState("news")).isEqualTo("CLOSED"));
    assertThat(page.callbacks("news")).containsExactly("error CLOSED");
    assertThat(page.received("news")).isEmpty();
  }

  private void start(CorsPolicy cors) {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).cors(cors).build().start();
  }

  private static EventSourcePage load() {
    return EventSourcePage.load(chromium.driver(), pages.pageUrl());
  }

  private String streamUrl(String query) {
    return "http://127.0.0.1:" + server.port() + "/events?" + query;
  }

  private void awaitSubscribers(String topic, int n) {
    eventually().untilAsserted(() ->
        assertThat(server.broker().subscriberCount(topic)).as("subscribers of %s", topic).isEqualTo(n));
  }

  private void publish(String topic, Event event) throws Exception {
    server.broker().publish(topic, event).toCompletableFuture().get();
  }
}
