package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plain HTTP endpoints beside the streams, and the resume and privacy rules a hub builds on. */
class EndpointTest {
  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private HeraldServer start(HeraldServer.Builder b) {
    server = b.bindAddress("127.0.0.1").port(0).build().start();
    return server;
  }

  @Test
  void postToTheStreamPathReachesItsEndpointWhileGetStillStreams() throws Exception {
    start(HeraldServer.builder().endpoint("/events", request ->
        server.broker().publish(request.queryParam("topic").orElseThrow(), Event.of(request.bodyText()))
            .thenApply(id -> EndpointResponse.text(200, id))));
    try (RawClient sub = RawClient.connect(server.port()); RawClient pub = RawClient.connect(server.port())) {
      sub.get("/events?topic=t").readHead().awaitBody("retry");
      await().until(() -> server.broker().subscriberCount("t") == 1);
      pub.send("POST /events?topic=t HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").readHead();
      assertThat(pub.status()).isEqualTo(200);
      assertThat(pub.awaitEnd()).isEqualTo("#1\n");
      assertThat(sub.awaitBody("hello")).endsWith("id: #1\ndata: hello\n\n");
    }
  }

  @Test
  void postThatAsksToUpgradeToH2cIsServed() throws Exception {
    // The JDK HttpClient's default: the first request asks for h2c, body included.
    start(HeraldServer.builder().endpoint("/echo", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, r.bodyText()))));
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
    java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + server.port() + "/echo"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("payload")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("payload\n");
  }

  @Test
  void anExtraStreamPathHasItsOwnTopicSelector() throws Exception {
    start(HeraldServer.builder().stream("/replies", r -> Subscription.of("reply/" + r.queryParam("id").orElseThrow())));
    server.broker().publish("reply/7", Event.of("token"));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/replies?id=7&lastEventID=earliest").readHead();
      assertThat(c.awaitBody("token")).endsWith("id: #1\ndata: token\n\n");
    }
  }

  @Test
  void endpointsAndTheFallbackAnswerOtherPaths() throws Exception {
    start(HeraldServer.builder()
        .endpoint("/healthz", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, "ok")))
        .fallbackEndpoint(r -> CompletableFuture.completedFuture(EndpointResponse.text(404, "no page " + r.path()))));
    try (RawClient c = RawClient.connect(server.port())) {
      c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
      assertThat(c.awaitEnd()).isEqualTo("ok\n");
    }
    try (RawClient c = RawClient.connect(server.port())) {
      c.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
      assertThat(c.status()).isEqualTo(404);
      assertThat(c.awaitEnd()).isEqualTo("no page /missing\n");
    }
  }

  @Test
  void failingEndpointIs500AndTheServerGoesOn() throws Exception {
    start(HeraldServer.builder().endpoint("/boom", r -> {
      throw new IllegalStateException("boom");
    }));
    try (RawClient c = RawClient.connect(server.port())) {
      c.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
      assertThat(c.status()).isEqualTo(500);
    }
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    start(HeraldServer.builder().maxRequestBodyBytes(10)
        .endpoint("/p", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, "ok"))));
    try (RawClient c = RawClient.connect(server.port())) {
      c.send("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n" + "x".repeat(20)).readHead();
      assertThat(c.status()).isEqualTo(413);
    }
  }

  @Test
  void earliestReplaysAllRetainedHistoryWithoutACut() throws Exception {
    start(HeraldServer.builder());
    for (int i = 1; i <= 3; i++) server.broker().publish("t", Event.of("e" + i));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t&last_event_id=earliest").readHead();
      // Mercure: a resume is answered with where it resumes; asking for everything is "earliest".
      assertThat(c.headers).containsEntry("last-event-id", EventLog.EARLIEST);
      assertThat(c.awaitBody("e3")).isEqualTo("retry: 3000\n\nid: #1\ndata: e1\n\nid: #2\ndata: e2\n\nid: #3\ndata: e3\n\n");
    }
  }

  @Test
  void historyCutIsAlsoSaidInTheResponseHead() throws Exception {
    start(HeraldServer.builder().streamHeader("Link", "</hub>; rel=\"mercure\""));
    server.broker().publish("t", Event.of("e1"));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t", "Last-Event-ID: gone").readHead();
      assertThat(c.headers).containsEntry("last-event-id", "earliest").containsEntry("link", "</hub>; rel=\"mercure\"");
      assertThat(c.awaitBody("e1")).contains("event: history-cut\n");
    }
  }

  @Test
  void privateUpdatesReachOnlyAuthorisedSubscribersLiveAndOnReplay() throws Exception {
    TopicSelector selector = request -> new Subscription(Set.of("t"), List.of(),
        request.queryParam("auth").isPresent() ? List.of(TopicPattern.glob("t")) : List.of());
    start(HeraldServer.builder().topicSelector(selector));
    server.broker().publish(List.of("t"), Event.of("secret before"), true);
    try (RawClient anon = RawClient.connect(server.port()); RawClient auth = RawClient.connect(server.port())) {
      anon.get("/events?topic=t&lastEventID=earliest").readHead().awaitBody("retry");
      auth.get("/events?topic=t&auth=1&lastEventID=earliest").readHead().awaitBody("secret before");
      await().until(() -> server.broker().subscriberCount("t") == 2);
      server.broker().publish(List.of("t"), Event.of("secret live"), true);
      server.broker().publish("t", Event.of("public"));
      assertThat(auth.awaitBody("public")).contains("secret before", "secret live");
      assertThat(anon.awaitBody("public")).doesNotContain("secret");
    }
  }

  @Test
  void publishesAreRefusedWhileTheFanOutQueueIsOverItsLimit() throws Exception {
    java.util.concurrent.CountDownLatch loopBlocked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // One event loop, held busy by a handler, so published events wait in its queue.
    start(HeraldServer.builder().ioThreads(1).maxQueuedFanoutBytes(10).route("/hold", (request, stream) -> {
      loopBlocked.countDown();
      EventLoopBlockingCheck.holdLoopOnPurpose(release);
    }));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/hold");
      assertThat(loopBlocked.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(server.broker().publish("t", Event.of("queued")).toCompletableFuture().get()).isEqualTo("#1");
      assertThat(server.broker().publish("t", Event.of("refused")).toCompletableFuture())
          .failsWithin(java.time.Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(OverloadedException.class);
      release.countDown();
      await().untilAsserted(() ->
          assertThat(server.broker().publish("t", Event.of("accepted again")).toCompletableFuture().get()).isEqualTo("#2"));
    } finally {
      release.countDown();
    }
  }

  @Test
  void aResumeWhileTheHistoryCannotBeReadIsA503() throws Exception {
    InMemoryEventLog real = InMemoryEventLog.create();
    EventLog failingReads = new EventLog() {
      @Override
      public java.util.concurrent.CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
        return real.append(topics, event, privateUpdate);
      }

      @Override
      public java.util.concurrent.CompletionStage<Replay> readAfter(String lastEventId) {
        return CompletableFuture.failedFuture(new IllegalStateException("store unavailable"));
      }

      @Override
      public void onAppend(java.util.function.Consumer<StoredEvent> tail) {
        real.onAppend(tail);
      }
    };
    start(HeraldServer.builder().eventLog(failingReads));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t", "Last-Event-ID: #3").readHead();
      assertThat(c.status()).isEqualTo(503);
      assertThat(c.headers).containsEntry("retry-after", "1");
      assertThat(c.awaitEnd()).isEqualTo("the event history cannot be read now: store unavailable\n");
    }
    await().until(() -> server.broker().connectionCount() == 0);
  }

  @Test
  void statsCountPublishesDeliveriesAndConnections() throws Exception {
    start(HeraldServer.builder());
    try (RawClient a = RawClient.connect(server.port()); RawClient b = RawClient.connect(server.port())) {
      a.get("/events?topic=t").readHead().awaitBody("retry");
      b.get("/events?topic=t").readHead().awaitBody("retry");
      await().until(() -> server.broker().subscriberCount("t") == 2);
      server.broker().publish("t", Event.of("x"));
      a.awaitBody("data: x");
      b.awaitBody("data: x");
      await().untilAsserted(() -> assertThat(server.broker().stats()).isEqualTo(new BrokerStats(2, 1, 2, 0)));
    }
  }
}
