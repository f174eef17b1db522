package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an open stream keeps of its request: everything but the headers. Those are for deciding
 * whether to serve it (a selector, a handler's check and handle get them); an idle stream holding
 * them for hours is memory a hub of tens of thousands of connections cannot spare.
 */
class SseStreamRequestTest {
  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private static StreamRequest request(Map<String, List<String>> headers) {
    return new StreamRequest("/events", Map.of("topic", List.of("news")), headers, Optional.of("#7"), "/127.0.0.1:4000");
  }

  @Test
  void withoutHeadersKeepsEverythingElse() {
    StreamRequest full = request(Map.of("authorization", List.of("Bearer x"), "host", List.of("hub")));
    StreamRequest bare = full.withoutHeaders();
    assertThat(bare.headers()).isEmpty();
    assertThat(bare.header("authorization")).isEmpty();
    assertThat(bare).isEqualTo(request(Map.of()));
    assertThat(bare.query()).isSameAs(full.query());
    assertThat(bare.withoutHeaders()).isSameAs(bare);
  }

  @Test
  void listenersOfATopicStreamSeeItsRequestWithoutHeaders() throws Exception {
    List<StreamRequest> selected = new CopyOnWriteArrayList<>();
    List<StreamRequest> connected = new CopyOnWriteArrayList<>();
    List<StreamRequest> disconnected = new CopyOnWriteArrayList<>();
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).topicSelector(request -> {
      selected.add(request);
      return Subscription.of(request.queryParams("topic").toArray(String[]::new));
    }).build().start();
    server.broker().addListener(new BrokerListener() {
      @Override
      public void onConnect(StreamRequest request) {
        connected.add(request);
      }

      @Override
      public void onDisconnect(StreamRequest request, String reason) {
        disconnected.add(request);
      }
    });
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=news", "X-Token: secret").readHead().awaitBody("retry");
      await().atMost(Duration.ofSeconds(30)).until(() -> connected.size() == 1);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> disconnected.size() == 1);
    assertThat(selected).singleElement().satisfies(r -> assertThat(r.header("x-token")).contains("secret"));
    StreamRequest kept = connected.get(0);
    assertThat(kept.headers()).isEmpty();
    assertThat(kept).isEqualTo(selected.get(0).withoutHeaders());
    assertThat(kept.queryParam("topic")).contains("news");
    assertThat(disconnected.get(0)).isEqualTo(kept);
  }

  @Test
  void aHandlerGetsTheHeadersButItsStreamKeepsNone() throws Exception {
    AtomicReference<StreamRequest> given = new AtomicReference<>();
    AtomicReference<StreamRequest> kept = new AtomicReference<>();
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).route("/api/own", (request, stream) -> {
      given.set(request);
      kept.set(stream.request());
    }).build().start();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/api/own?q=1", "X-Token: secret").readHead().awaitBody("retry");
      await().atMost(Duration.ofSeconds(30)).until(() -> kept.get() != null);
    }
    assertThat(given.get().header("x-token")).contains("secret");
    assertThat(kept.get().headers()).isEmpty();
    assertThat(kept.get().queryParam("q")).contains("1");
  }
}
