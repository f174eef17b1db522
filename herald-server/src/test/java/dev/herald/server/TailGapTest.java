package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.protocol.Event;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A log that skipped events before its tail delivered them (a cluster node that fell behind its
 * Redis stream's retention): live subscribers would silently miss them, so the broker ends their
 * streams, and each resumes from its Last-Event-ID.
 */
class TailGapTest {
  /** More than the kernel's socket buffers take in (a few MiB): the rest waits in the server. */
  private static final int STALLED_BYTES = 16 * 1024 * 1024;
  private static final String BIG = "x".repeat(256 * 1024);

  private final SkippingLog log = new SkippingLog();
  private HeraldServer server;
  private EventSource source;

  @AfterEach
  void stop() {
    if (source != null) source.close();
    if (server != null) server.close();
  }

  private void start(HeraldServer.Builder b) {
    server = b.bindAddress("127.0.0.1").port(0).eventLog(log).build().start();
  }

  private void awaitSubscribers(String topic, int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> server.broker().subscriberCount(topic) == n);
  }

  private String publish(String topic, String data) throws Exception {
    return server.broker().publish(topic, Event.of(data)).toCompletableFuture().get();
  }

  /** Publishes {@code data} to {@code topic} with the tail skipping it: a gap. */
  private void publishSkipped(String topic, String data) throws Exception {
    log.skipNext();
    publish(topic, data);
  }

  @Test
  void aGapEndsEveryTopicStreamBeforeAnyLaterEventSoEachResumesFromItsLastEventId() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).eventLog(log).build().start();
    try (RawClient news = RawClient.connect(server.port()); RawClient other = RawClient.connect(server.port())) {
      news.get("/events?topic=news").readHead().awaitBody("retry");
      other.get("/events?topic=other").readHead().awaitBody("retry");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.broker().subscriberCount("news") == 1
          && server.broker().subscriberCount("other") == 1);
      server.broker().publish("news", Event.of("before")).toCompletableFuture().get();
      news.awaitBody("before");

      log.skipNext();
      server.broker().publish("news", Event.of("skipped")).toCompletableFuture().get();
      server.broker().publish("news", Event.of("after")).toCompletableFuture().get();

      assertThat(news.awaitClosed(Duration.ofSeconds(5))).isTrue();
      assertThat(other.awaitClosed(Duration.ofSeconds(5))).isTrue();
      assertThat(news.body()).endsWith("id: #1\ndata: before\n\n").doesNotContain("skipped", "after");
      assertThat(news.bodyEnded()).isTrue();
      // No event for "other" yet: it is told the last id before the gap, to resume from there.
      assertThat(other.body()).isEqualTo("retry: 3000\n\nid: #1\n\n");
      assertThat(other.bodyEnded()).isTrue();
    }
    // Back with its Last-Event-ID, the subscriber gets what it missed from the history, in order.
    try (RawClient news = RawClient.connect(server.port())) {
      news.get("/events?topic=news", "Last-Event-ID: #1").readHead();
      assertThat(news.awaitBody("after")).endsWith("id: #2\ndata: skipped\n\nid: #3\ndata: after\n\n");
    }
  }

  @Test
  void aSubscriberThatGotNoEventYetIsToldTheLastIdBeforeTheGapSoItsResumeBringsTheSkippedEvents() throws Exception {
    start(HeraldServer.builder());
    try (RawClient news = RawClient.connect(server.port())) {
      news.get("/events?topic=news").readHead().awaitBody("retry");
      awaitSubscribers("news", 1);
      publish("other", "elsewhere");
      publishSkipped("news", "skipped");
      publish("news", "after");
      // An id-only frame: the client's last event id moves to 1, and no event fires.
      assertThat(news.awaitEnd()).isEqualTo("retry: 3000\n\nid: #1\n\n");
      assertThat(news.bodyEnded()).isTrue();
    }
    try (RawClient news = RawClient.connect(server.port())) {
      news.get("/events?topic=news", "Last-Event-ID: #1").readHead();
      assertThat(news.awaitBody("after")).isEqualTo("retry: 3000\n\nid: #2\ndata: skipped\n\nid: #3\ndata: after\n\n");
    }
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void theJavaEventSourceComesBackFromTheIdBeforeTheGapAndGetsWhatWasSkipped(HttpClient.Version version)
      throws Exception {
    start(HeraldServer.builder().retryHint(Duration.ofMillis(100)));
    BlockingQueue<MessageEvent> received = new LinkedBlockingQueue<>();
    source = EventSource.builder(URI.create("http://127.0.0.1:" + server.port() + "/events?topic=news"))
        .httpClient(HttpClient.newBuilder().version(version).build())
        .initialRetryDelay(Duration.ofMillis(100))
        .onMessage((es, e) -> received.add(e))
        .build();
    awaitSubscribers("news", 1);
    publish("other", "elsewhere");
    publishSkipped("news", "skipped");
    publish("news", "after");
    MessageEvent skipped = received.poll(10, TimeUnit.SECONDS);
    assertThat(skipped).isNotNull();
    assertThat(skipped.data()).isEqualTo("skipped");
    assertThat(skipped.lastEventId()).isEqualTo("#2");
    MessageEvent after = received.poll(10, TimeUnit.SECONDS);
    assertThat(after).isNotNull();
    assertThat(after.data()).isEqualTo("after");
    assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aSubscriberIsNeverToldTheIdOfAPrivateUpdateItDoesNotReceive() throws Exception {
    // ?private=GLOB: what the subscriber is authorised for.
    start(HeraldServer.builder().topicSelector(request -> {
      Subscription s = TopicSelector.QUERY.select(request);
      List<TopicPattern> authorised = new ArrayList<>();
      for (String glob : request.queryParams("private")) authorised.add(TopicPattern.glob(glob));
      return new Subscription(s.topics(), s.patterns(), authorised);
    }));
    try (RawClient outsider = RawClient.connect(server.port());
        RawClient insider = RawClient.connect(server.port())) {
      outsider.get("/events?topic=news").readHead().awaitBody("retry");
      insider.get("/events?topic=news&private=news").readHead().awaitBody("retry");
      awaitSubscribers("news", 2);
      publish("other", "public");
      server.broker().publish(List.of("news"), Event.of("secret"), true).toCompletableFuture().get();
      insider.awaitBody("secret");
      publishSkipped("news", "skipped");
      publish("news", "after");
      assertThat(outsider.awaitEnd()).isEqualTo("retry: 3000\n\nid: #1\n\n");
      // It has the id of the newest event before the gap already: nothing more to tell it.
      assertThat(insider.awaitEnd()).isEqualTo("retry: 3000\n\nid: #2\ndata: secret\n\n");
    }
    try (RawClient outsider = RawClient.connect(server.port())) {
      outsider.get("/events?topic=news", "Last-Event-ID: #1").readHead();
      assertThat(outsider.awaitBody("after"))
          .isEqualTo("retry: 3000\n\nid: #3\ndata: skipped\n\nid: #4\ndata: after\n\n");
    }
  }

  @Test
  void aStreamWaitingForItsHistoryIsClosedWithNothingWritten() throws Exception {
    start(HeraldServer.builder());
    publish("news", "before");
    CompletableFuture<Void> historyRead = log.holdReads();
    try (RawClient news = RawClient.connect(server.port())) {
      news.get("/events?topic=news", "Last-Event-ID: #1");
      awaitSubscribers("news", 1); // registered, holding live events, its history not read yet
      publishSkipped("news", "skipped");
      publish("news", "after");
      assertThat(news.awaitClosed(Duration.ofSeconds(5))).isTrue();
      // No head, so no id: it comes back with Last-Event-ID 1, which it has seen everything up to.
      assertThatThrownBy(news::readHead).hasMessageContaining("no response head");
    } finally {
      historyRead.complete(null);
    }
    awaitSubscribers("news", 0);
  }

  @Test
  void aStreamEndedBehindAFullSocketGetsNothingAfterItsEnd() throws Exception {
    Duration heartbeat = Duration.ofMillis(20);
    start(HeraldServer.builder().outboundBufferLimitBytes(4 * STALLED_BYTES).heartbeatInterval(heartbeat));
    try (StalledClient stalled = StalledClient.get(server.port(), "/events?topic=news").awaitHead()) {
      awaitSubscribers("news", 1);
      int n = STALLED_BYTES / BIG.length();
      for (int i = 1; i <= n; i++) publish("news", BIG);
      // Live, and its last event is the last before the gap: no id to tell it, just the end.
      publishSkipped("news", "skipped");
      publish("news", "after the gap");
      publishSkipped("news", "skipped again");
      publish("news", "after the second gap");
      Thread.sleep(heartbeat.toMillis() * 10); // time for heartbeats, which must not come either
      StalledClient.Wire wire = stalled.readToClose(Duration.ofSeconds(30));
      assertThat(wire.ended()).isTrue();
      assertThat(wire.afterEnd()).as("bytes after the last chunk").isEmpty();
      assertThat(wire.body().replace(":\n", "")) // heartbeats from before the gap
          .endsWith("id: #" + n + "\ndata: " + BIG + "\n\n")
          .doesNotContain("skipped", "after");
    }
  }

  @Test
  void aStreamStillReplayingWhenTheGapComesIsEndedWithNoIdAndNoMoreHistory() throws Exception {
    start(HeraldServer.builder());
    int n = STALLED_BYTES / BIG.length();
    for (int i = 1; i <= n; i++) publish("news", BIG);
    // The replay stops when the socket and the 1 MiB outbound buffer are full, and resumes as the
    // client reads: until then the stream is not live.
    try (StalledClient stalled =
        StalledClient.get(server.port(), "/events?topic=news", "Last-Event-ID: #1").awaitHead()) {
      awaitSubscribers("news", 1);
      publishSkipped("news", "skipped");
      publish("news", "after");
      StalledClient.Wire wire = stalled.readToClose(Duration.ofSeconds(30));
      assertThat(wire.ended()).isTrue();
      assertThat(wire.afterEnd()).as("bytes after the last chunk").isEmpty();
      assertThat(wire.body()).as("the replay, still running at the gap").doesNotContain("id: #" + n + "\n");
      assertThat(wire.body())
          .startsWith("retry: 3000\n\nid: #2\ndata: " + BIG + "\n\n")
          .doesNotContain("skipped", "after")
          .doesNotContainPattern("id: [^\n]*\n\n"); // an id-only frame
    }
  }

  /** An in-memory log whose tail skips the next event on demand, then reports the gap. */
  private static final class SkippingLog implements EventLog {
    private final InMemoryEventLog history = InMemoryEventLog.create();
    private volatile boolean skipNext;
    private volatile Runnable gap = () -> {};
    private volatile CompletableFuture<Void> reads = CompletableFuture.completedFuture(null);

    void skipNext() {
      skipNext = true;
    }

    /** Holds every history read until the returned future completes. */
    CompletableFuture<Void> holdReads() {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      reads = gate;
      return gate;
    }

    @Override
    public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
      return history.append(topics, event, privateUpdate);
    }

    @Override
    public CompletionStage<Replay> readAfter(String lastEventId) {
      return reads.thenCompose(v -> history.readAfter(lastEventId));
    }

    @Override
    public void onAppend(Consumer<StoredEvent> tail) {
      history.onAppend(e -> {
        if (skipNext) {
          skipNext = false;
          gap.run();
          return;
        }
        tail.accept(e);
      });
    }

    @Override
    public void onTailGap(Runnable gap) {
      this.gap = gap;
    }

    @Override
    public void close() {
      history.close();
    }
  }
}
