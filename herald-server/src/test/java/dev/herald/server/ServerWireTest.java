package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exact bytes the server writes on HTTP/1.1, checked with a raw socket. */
class ServerWireTest {
  private HeraldServer server;

  private HeraldServer start(HeraldServer.Builder builder) {
    server = builder.bindAddress("127.0.0.1").port(0).build().start();
    return server;
  }

  private HeraldServer start() {
    return start(HeraldServer.builder());
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private void awaitSubscribers(String topic, int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> server.broker().subscriberCount(topic) == n);
  }

  @Test
  void streamStartsWithStreamHeadersAndRetryHintFlushedAtOnce() throws Exception {
    start(HeraldServer.builder().retryHint(Duration.ofMillis(2500)));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=news").readHead();
      assertThat(c.statusLine).isEqualTo("HTTP/1.1 200 OK");
      assertThat(c.headers)
          .containsEntry("content-type", "text/event-stream; charset=utf-8")
          .containsEntry("cache-control", "no-store")
          .containsEntry("x-accel-buffering", "no")
          .containsEntry("transfer-encoding", "chunked");
      assertThat(c.awaitBody("\n\n")).isEqualTo("retry: 2500\n\n");
    }
  }

  @Test
  void aSubscriberWhoseSocketFillsInTheMiddleOfABurstGetsEveryEventInOrderOnceItReads() throws Exception {
    // Published without waiting, the events reach the stream several per loop turn and go out in
    // one writev, until the socket takes part of one only: the rest must follow, in order.
    int events = 4000; // about 4 MiB: more than the socket buffers between server and client hold
    String data = "y".repeat(1000);
    start(HeraldServer.builder().outboundBufferLimitBytes(16 * 1024 * 1024));
    try (StalledClient stalled = StalledClient.get(server.port(), "/events?topic=news").awaitHead()) {
      awaitSubscribers("news", 1);
      CompletableFuture<?>[] published = new CompletableFuture<?>[events];
      for (int i = 1; i <= events; i++) {
        published[i - 1] = server.broker().publish("news", Event.of(i + " " + data)).toCompletableFuture();
      }
      CompletableFuture.allOf(published).get(30, TimeUnit.SECONDS);
      String body = stalled.readUntilLast("id: #" + events + "\ndata: " + events + " " + data + "\n\n",
          Duration.ofSeconds(60));
      StringBuilder expected = new StringBuilder("retry: 3000\n\n");
      for (int i = 1; i <= events; i++) expected.append("id: #").append(i).append("\ndata: ").append(i).append(' ').append(data).append("\n\n");
      assertThat(body.replace(":\n", "")).as("every event once, in order (heartbeats aside)").isEqualTo(expected.toString());
    }
  }

  @Test
  void publishedEventArrivesAsOneFrameWithTheLogId() throws Exception {
    start();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=news").readHead().awaitBody("retry");
      awaitSubscribers("news", 1);
      String id = server.broker().publish("news", Event.named("headline", "line one\nline two"))
          .toCompletableFuture().get();
      assertThat(id).isEqualTo("#1");
      assertThat(c.awaitBody("line two\n\n"))
          .endsWith("id: #1\nevent: headline\ndata: line one\ndata: line two\n\n");
    }
  }

  @Test
  void eventsReachOnlySubscribersOfTheirTopic() throws Exception {
    start();
    try (RawClient a = RawClient.connect(server.port()); RawClient b = RawClient.connect(server.port())) {
      a.get("/events?topic=a").readHead().awaitBody("retry");
      b.get("/events?topic=b").readHead().awaitBody("retry");
      awaitSubscribers("a", 1);
      awaitSubscribers("b", 1);
      server.broker().publish("a", Event.of("for a"));
      server.broker().publish("b", Event.of("for b"));
      assertThat(b.awaitBody("for b")).doesNotContain("for a");
      assertThat(a.awaitBody("for a")).doesNotContain("for b");
    }
  }

  @Test
  void anEventOnSeveralFollowedTopicsArrivesOnce() throws Exception {
    start();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=a&topic=b&pattern=c/*").readHead().awaitBody("retry");
      awaitSubscribers("a", 1);
      server.broker().publish(List.of("a", "b", "c/1"), Event.of("once"));
      server.broker().publish("c/2", Event.of("by pattern"));
      String body = c.awaitBody("by pattern");
      assertThat(body.split("once", -1)).hasSize(2);
      assertThat(body).endsWith("id: #1\ndata: once\n\nid: #2\ndata: by pattern\n\n");
    }
  }

  @Test
  void resumeWithLastEventIdReplaysWhatFollowsThenGoesLive() throws Exception {
    start();
    for (int i = 1; i <= 5; i++) server.broker().publish("t", Event.of("e" + i));
    server.broker().publish("other", Event.of("not mine"));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t", "Last-Event-ID: #3").readHead();
      assertThat(c.awaitBody("e5")).isEqualTo("retry: 3000\n\nid: #4\ndata: e4\n\nid: #5\ndata: e5\n\n");
      awaitSubscribers("t", 1);
      server.broker().publish("t", Event.of("live"));
      assertThat(c.awaitBody("live")).endsWith("id: #5\ndata: e5\n\nid: #7\ndata: live\n\n");
    }
  }

  @Test
  void resumeAcceptsTheLastEventIdQueryParameter() throws Exception {
    start();
    for (int i = 1; i <= 3; i++) server.broker().publish("t", Event.of("e" + i));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t&lastEventID=%232").readHead();
      assertThat(c.awaitBody("e3")).isEqualTo("retry: 3000\n\nid: #3\ndata: e3\n\n");
    }
  }

  @Test
  void unknownLastEventIdIsReportedAsHistoryCutThenRetainedHistoryFollows() throws Exception {
    start(HeraldServer.builder().eventLog(InMemoryEventLog.create(2, 1 << 20, Duration.ofHours(1))));
    for (int i = 1; i <= 4; i++) server.broker().publish("t", Event.of("e" + i));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t", "Last-Event-ID: #1").readHead();
      assertThat(c.awaitBody("e4")).isEqualTo("retry: 3000\n\n"
          + "event: history-cut\ndata: {\"lastEventId\":\"#1\",\"earliest\":\"#3\"}\n\n"
          + "id: #3\ndata: e3\n\nid: #4\ndata: e4\n\n");
    }
  }

  @Test
  void nonAsciiLastEventIdIsReadAsUtf8() throws Exception {
    start();
    server.broker().publish("t", Event.builder().id("\u2026").data("first").build());
    server.broker().publish("t", Event.of("second"));
    try (RawClient c = RawClient.connect(server.port())) {
      c.sendBytes(("GET /events?topic=t HTTP/1.1\r\nHost: x\r\nLast-Event-ID: \u2026\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      c.readHead();
      assertThat(c.awaitBody("second")).isEqualTo("retry: 3000\n\nid: #2\ndata: second\n\n");
    }
  }

  @Test
  void quietConnectionsGetHeartbeatComments() throws Exception {
    start(HeraldServer.builder().heartbeatInterval(Duration.ofMillis(100)));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t").readHead();
      assertThat(c.awaitBody(":\n:\n")).startsWith("retry: 3000\n\n:\n");
    }
  }

  @Test
  void peerThatClosesIsRemovedWithoutWaitingForAWrite() throws Exception {
    start();
    RawClient c = RawClient.connect(server.port());
    c.get("/events?topic=t").readHead().awaitBody("retry");
    awaitSubscribers("t", 1);
    c.close();
    awaitSubscribers("t", 0);
    assertThat(server.broker().connectionCount()).isZero();
  }

  @Test
  void slowConsumerIsClosedWhileFastSubscribersGetEverything() throws Exception {
    start(HeraldServer.builder().outboundBufferLimitBytes(64 * 1024));
    java.util.concurrent.atomic.AtomicInteger slowClosed = new java.util.concurrent.atomic.AtomicInteger();
    server.broker().addListener(new BrokerListener() {
      @Override
      public void onSlowConsumerClosed(StreamRequest request, long pendingBytes) {
        slowClosed.incrementAndGet();
      }
    });
    try (RawClient slow = RawClient.connectSlow(server.port()); RawClient fast = RawClient.connect(server.port())) {
      slow.get("/events?topic=t");
      fast.get("/events?topic=t").readHead();
      awaitSubscribers("t", 2);
      // The kernel's socket buffers absorb some megabytes before the server's own buffer fills.
      String payload = "x".repeat(32 * 1024);
      int n = 0;
      while (slowClosed.get() == 0 && n < 1000) {
        server.broker().publish("t", Event.of(payload + (++n))).toCompletableFuture().get();
        fast.drainUntil(payload + n + "\n\n", Duration.ofSeconds(5));
      }
      assertThat(slowClosed.get()).as("slow consumer closed").isEqualTo(1);
      awaitSubscribers("t", 1);
      server.broker().publish("t", Event.of("after"));
      assertThat(fast.awaitBody("after")).isEqualTo("id: #" + (n + 1) + "\ndata: after\n\n");
    }
  }

  @Test
  void perRequestStreamSendsItsOwnEventsAndCompletes() throws Exception {
    start(HeraldServer.builder().route("/api/send", (request, stream) -> {
      String message = request.queryParam("message").orElse("");
      new Thread(() -> {
        for (String token : message.split(" ")) stream.send(Event.of(token));
        stream.send(Event.named("done", "")).thenRun(stream::complete);
      }).start();
    }));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/api/send?message=hello%20streaming%20world").readHead();
      assertThat(c.awaitEnd()).isEqualTo("retry: 3000\n\n"
          + "data: hello\n\ndata: streaming\n\ndata: world\n\nevent: done\ndata:\n\n");
      assertThat(c.bodyEnded()).isTrue();
    }
  }

  @Test
  void aPerRequestStreamMayRefuseARequestWithAStatusBeforeAnythingIsWritten() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    start(HeraldServer.builder().route("/api/send", new StreamHandler() {
      @Override
      public void check(StreamRequest request) {
        String message = request.queryParam("message").orElse("");
        if (message.isEmpty()) throw new IllegalArgumentException("missing message");
        if (message.equals("busy")) {
          throw new StreamRefusedException(503, "too busy; retry later", Map.of("retry-after", "2"));
        }
      }

      @Override
      public void handle(StreamRequest request, EventStream stream) {
        handled.incrementAndGet();
        stream.send(Event.of(request.queryParam("message").orElseThrow())).thenRun(stream::complete);
      }
    }));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/api/send").readHead();
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.awaitBody("missing message")).isEqualTo("missing message\n");
    }
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/api/send?message=busy").readHead();
      assertThat(c.status()).isEqualTo(503);
      assertThat(c.headers).containsEntry("retry-after", "2");
      assertThat(c.awaitBody("too busy; retry later")).isEqualTo("too busy; retry later\n");
    }
    assertThat(handled).hasValue(0);
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/api/send?message=accepted").readHead();
      assertThat(c.awaitEnd()).isEqualTo("retry: 3000\n\ndata: accepted\n\n");
    }
    assertThat(handled).hasValue(1);
  }

  @Test
  void closeTellsSubscribersWhenToComeBackAndEndsTheirStreams() throws Exception {
    start(HeraldServer.builder().retryHint(Duration.ofMillis(1234)));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t").readHead().awaitBody("retry");
      awaitSubscribers("t", 1);
      server.close();
      assertThat(c.awaitEnd()).isEqualTo("retry: 1234\n\nretry: 1234\n\n");
      assertThat(c.bodyEnded()).isTrue();
      server = null;
    }
  }
}
