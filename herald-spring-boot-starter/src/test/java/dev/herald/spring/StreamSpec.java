package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.browser.Chromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What an application gets from the starter, on its own port, whatever its web stack: the subclasses
 * run it on Spring MVC (Tomcat, through the servlet adapter) and on WebFlux (Reactor Netty).
 */
abstract class StreamSpec {
  static final Duration TIMEOUT = Received.TIMEOUT;

  @RegisterExtension
  static final Chromium chromium = Chromium.headless();

  @LocalServerPort
  int port;

  @Autowired
  Broker broker;

  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void closeSources() throws Exception {
    for (AutoCloseable c : closeAfter) c.close();
  }

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port + pathAndQuery;
  }

  String publish(String topic, Event event) throws Exception {
    return broker.publish(topic, event).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void anEventPublishedFromABeanReachesTheJdkEventSourceOnTheApplicationsPort() throws Exception {
    Received r = new Received();
    closeAfter.add(r.open(url("/events?topic=news"), null, "headline"));
    r.awaitOpen();
    String id = publish("news", Event.named("headline", "{\"title\":\"Hello\"}"));
    MessageEvent e = r.take();
    assertThat(e.type()).isEqualTo("headline");
    assertThat(e.data()).isEqualTo("{\"title\":\"Hello\"}");
    assertThat(e.lastEventId()).isEqualTo(id);
  }

  @Test
  void aClientComingBackAfterADroppedConnectionGetsWhatItMissedOnce() throws Exception {
    Received first = new Received();
    EventSource source = first.open(url("/events?topic=resume"), null);
    first.awaitOpen();
    publish("resume", Event.of("one"));
    String lastSeen = first.take().lastEventId();
    source.close(); // the connection drops
    publish("resume", Event.of("two"));
    publish("resume", Event.of("three"));

    Received back = new Received();
    closeAfter.add(back.open(url("/events?topic=resume"), lastSeen));
    assertThat(back.take(2)).extracting(MessageEvent::data).containsExactly("two", "three");
    publish("resume", Event.of("four"));
    assertThat(back.take().data()).isEqualTo("four");
    assertThat(back.events.poll(200, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
  }

  @Test
  void aProtectedTopicIsRefusedWithoutCredentialsAndServedWithThem() throws Exception {
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(url("/events?topic=private/ada")))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("authenticated");

    String basic = "Basic " + Base64.getEncoder().encodeToString(
        (TestApp.USER + ":" + TestApp.PASSWORD).getBytes(StandardCharsets.UTF_8));
    Received r = new Received();
    closeAfter.add(r.open(EventSource.builder(url("/events?topic=private/ada")).header("Authorization", basic), null));
    r.awaitOpen();
    publish("private/ada", Event.of("for ada"));
    assertThat(r.take().data()).isEqualTo("for ada");
  }

  @Test
  void aBrowserDroppedAgainAndAgainReceivesEveryEventOnceInOrder() throws Exception {
    BrowserPage page = BrowserPage.load(chromium.driver(), url("/index.html"));
    page.open("s", url("/short?topic=ticks"), "tick");
    BrowserPage.eventually().until(() -> page.callbacks("s").contains("open OPEN"));
    List<String> ids = new ArrayList<>();
    // Published across several of the server's stream ends (every 1.2 s): the browser reconnects
    // with Last-Event-ID each time and must miss nothing and see nothing twice.
    long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    int n = 0;
    while (System.nanoTime() < until) {
      ids.add(publish("ticks", Event.named("tick", Integer.toString(n++))));
      Thread.sleep(20); // pacing the publisher, not synchronising: the wait below is on the page
    }
    BrowserPage.eventually().until(() -> page.received("s").size() >= ids.size());
    assertThat(page.received("s")).extracting(BrowserPage.Received::lastEventId).containsExactlyElementsOf(ids);
    assertThat(page.callbacks("s").stream().filter(c -> c.startsWith("open")).count())
        .as("the server ended the stream and the browser came back").isGreaterThan(2);
  }

  @Test
  void streamsOpenWithTheRetryHintAndAreUncachedEventStreams() throws Exception {
    HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url("/events?topic=news")))
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    try (var body = response.body()) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v.toLowerCase()).startsWith("text/event-stream"));
      assertThat(response.headers().firstValue("cache-control")).hasValueSatisfying(
          v -> assertThat(v).contains("no-store"));
      byte[] first = body.readNBytes("retry: ".length());
      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("retry: ");
    }
  }

  @Test
  void aRequestWithoutATopicGetsA400ThatSaysWhy() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url("/events"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("no topic");
  }

  @Test
  void aPageOfAnotherOriginStreamsAsTheApplicationsCorsConfigurationAllows() throws Exception {
    // localhost and 127.0.0.1 are two origins to the browser: the page from one, the stream from the other.
    BrowserPage page = BrowserPage.load(chromium.driver(), "http://localhost:" + port + "/index.html");
    page.open("s", url("/events?topic=cors"), "headline");
    BrowserPage.eventually().until(() -> page.callbacks("s").contains("open OPEN"));
    String id = publish("cors", Event.named("headline", "across origins"));
    BrowserPage.eventually().until(() -> !page.received("s").isEmpty());
    assertThat(page.received("s")).containsExactly(new BrowserPage.Received("headline", "across origins", id));

    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(url("/events?topic=cors")))
        .header("Origin", "http://elsewhere.example").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(403);
  }

  @Test
  void actuatorHealthShowsHeraldUp() throws Exception {
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url("/actuator/health"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"herald\":{").contains("\"store\":\"memory\"");
  }

  /** Waits until the broker counts {@code n} streams. */
  void awaitConnections(int n) {
    await().atMost(TIMEOUT).until(() -> broker.connectionCount() == n);
  }
}
