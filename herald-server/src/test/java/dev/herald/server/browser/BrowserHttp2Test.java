package dev.herald.server.browser;

import static dev.herald.server.browser.EventSourcePage.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.CorsPolicy;
import dev.herald.server.HeraldServer;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.browser.EventSourcePage.Received;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 over TLS with a real browser: ALPN picks h2, and one origin then carries more streams than
 * the six connections per host a browser allows on HTTP/1.1 (conformance item 80).
 */
class BrowserHttp2Test {
  @RegisterExtension static final Chromium chromium = Chromium.headlessIgnoringCertificateErrors();

  /** Well above HTTP/1.1's six connections per host. */
  private static final int STREAMS = 20;

  private static SelfSignedCertificate certificate;
  private static PageServer pages;
  private HeraldServer server;

  @BeforeAll
  static void setUp() throws Exception {
    certificate = new SelfSignedCertificate("localhost");
    pages = PageServer.start();
  }

  @AfterAll
  static void tearDown() {
    if (pages != null) pages.close();
    if (certificate != null) certificate.delete();
  }

  @AfterEach
  void stopServer() {
    if (server != null) server.close();
  }

  @Test
  void browserNegotiatesHttp2AndHoldsTwentyStreamsOnOneOrigin() throws Exception {
    server = tlsServer(CorsPolicy.sameOrigin());
    String origin = "https://127.0.0.1:" + server.port();
    // Herald's 404 is a document on its own origin: the page and its streams share it.
    EventSourcePage page = EventSourcePage.load(chromium.driver(), origin + "/");
    assertThat(page.js("return performance.getEntriesByType('navigation')[0].nextHopProtocol")).isEqualTo("h2");

    openAndCheckStreams(page, i -> "/events?topic=t" + i);

    // A stream gets its Resource Timing entry once it ends: close them and read the protocols.
    page.js("herald.closeAll()");
    eventually().untilAsserted(() -> assertThat(streamProtocols(page)).hasSize(STREAMS).containsOnly("h2"));
  }

  @Test
  void cleartextPageHoldsTwentyCrossOriginStreamsOnAnHttp2Origin() throws Exception {
    server = tlsServer(CorsPolicy.allowOrigins(pages.origin()));
    String origin = "https://127.0.0.1:" + server.port();
    // An http page may open https streams (the reverse would be mixed content).
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl());

    openAndCheckStreams(page, i -> origin + "/events?topic=t" + i);
  }

  /**
   * Regression test: {@code HeraldServer.close()} once ended every h2 stream but left the h2
   * connection itself open on a stopped event loop, so Chrome sent all twenty reconnections into
   * that dead connection and waited forever. The server now closes every accepted connection
   * through its pipeline (GOAWAY) before the loops stop.
   */
  @Test
  void twentyHttp2StreamsAllResumeAfterAServerRestart() throws Exception {
    InMemoryEventLog log = InMemoryEventLog.create();
    CorsPolicy cors = CorsPolicy.allowOrigins(pages.origin());
    server = tlsServer(HeraldServer.builder().cors(cors).eventLog(log), 0);
    int port = server.port();
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl());
    for (int i = 0; i < STREAMS; i++) page.open("s" + i, "https://127.0.0.1:" + port + "/events?topic=t" + i, "tick");
    eventually().untilAsserted(() -> assertThat(server.broker().connectionCount()).as("open streams").isEqualTo(STREAMS));
    Map<String, List<Received>> expected = new TreeMap<>();
    publishOnEachTopic(expected, "before");
    eventually().untilAsserted(() -> assertThat(page.receivedByName()).isEqualTo(expected));

    server.close();
    server = tlsServer(HeraldServer.builder().cors(cors).eventLog(log), port);
    // Published on the new server before the browser is back: these come from the history.
    publishOnEachTopic(expected, "while away");
    eventually().untilAsserted(() -> assertThat(server.broker().connectionCount())
        .as("streams reopened on the restarted server; page states %s", readyStates(page))
        .isEqualTo(STREAMS));
    publishOnEachTopic(expected, "after");

    eventually().untilAsserted(() -> assertThat(page.receivedByName()).isEqualTo(expected));
  }

  @Test
  void overCleartextHttp11TheBrowserOpensOnlySixStreamsPerOrigin() {
    // The control for the tests above: without h2 the seventh stream waits for a free connection.
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .cors(CorsPolicy.allowOrigins(pages.origin())).build().start();
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl());
    for (int i = 0; i < 8; i++) page.open("s" + i, "http://127.0.0.1:" + server.port() + "/events?topic=t" + i);

    eventually().untilAsserted(() -> assertThat(server.broker().connectionCount()).as("open streams").isEqualTo(6));
    eventually().during(Duration.ofMillis(500)).until(() -> server.broker().connectionCount() == 6);
    assertThat(page.js("return Object.keys(herald.receivedAll())"
        + ".filter(n => herald.readyState(n) === 'CONNECTING').length")).isEqualTo(2L);
  }

  private void openAndCheckStreams(EventSourcePage page, IntFunction<String> url) throws Exception {
    for (int i = 0; i < STREAMS; i++) page.open("s" + i, url.apply(i), "tick");
    eventually().untilAsserted(() -> assertThat(server.broker().connectionCount()).as("open streams").isEqualTo(STREAMS));
    Map<String, List<Received>> expected = new TreeMap<>();
    for (int i = 0; i < STREAMS; i++) {
      String id = server.broker().publish("t" + i, Event.named("tick", "to t" + i)).toCompletableFuture().get();
      expected.put("s" + i, List.of(new Received("tick", "to t" + i, id)));
    }
    eventually().untilAsserted(() -> assertThat(page.receivedByName()).isEqualTo(expected));
  }

  private static Object readyStates(EventSourcePage page) {
    return page.js("return Object.keys(herald.receivedAll()).map(n => n + ' ' + herald.readyState(n)).join(', ')");
  }

  @SuppressWarnings("unchecked")
  private static List<String> streamProtocols(EventSourcePage page) {
    return (List<String>) page.js("return performance.getEntriesByType('resource')"
        + ".filter(e => new URL(e.name).pathname === '/events').map(e => e.nextHopProtocol)");
  }

  private void publishOnEachTopic(Map<String, List<Received>> expected, String data) throws Exception {
    for (int i = 0; i < STREAMS; i++) {
      String id = server.broker().publish("t" + i, Event.named("tick", data)).toCompletableFuture().get();
      expected.merge("s" + i, List.of(new Received("tick", data, id)),
          (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
    }
  }

  private static HeraldServer tlsServer(CorsPolicy cors) {
    return tlsServer(HeraldServer.builder().cors(cors), 0);
  }

  private static HeraldServer tlsServer(HeraldServer.Builder builder, int port) {
    return builder.bindAddress("127.0.0.1").port(port).retryHint(Duration.ofMillis(200))
        .tls(certificate.certificate().toPath(), certificate.privateKey().toPath())
        .build().start();
  }
}
