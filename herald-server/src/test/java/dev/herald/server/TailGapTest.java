package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A log that skipped events before its tail delivered them (a cluster node that fell behind its
 * Redis stream's retention): live subscribers would silently miss them, so the broker ends their
 * streams, and each resumes from its Last-Event-ID.
 */
class TailGapTest {
  private final SkippingLog log = new SkippingLog();
  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void aGapEndsEveryTopicStreamBeforeAnyLaterEventSoEachResumesFromItsLastEventId() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).eventLog(log).build().start();
    try (RawClient news = RawClient.connect(server.port()); RawClient other = RawClient.connect(server.port())) {
      news.get("/events?topic=news").readHead().awaitBody("retry");
      other.get("/events?topic=other").readHead().awaitBody("retry");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.broker().subscriberCount("news") == 1
          && server.broker().subscriberCount("other") == 1);
      server.broker().publish("news", Event.of("before")).toCompletableFuture().get();
      news.awaitBody("before");

      log.skipNext();
      server.broker().publish("news", Event.of("skipped")).toCompletableFuture().get();
      server.broker().publish("news", Event.of("after")).toCompletableFuture().get();

      assertThat(news.awaitClosed(Duration.ofSeconds(5))).isTrue();
      assertThat(other.awaitClosed(Duration.ofSeconds(5))).isTrue();
      assertThat(news.body()).endsWith("id: 1\ndata: before\n\n").doesNotContain("skipped", "after");
    }
    // Back with its Last-Event-ID, the subscriber gets what it missed from the history, in order.
    try (RawClient news = RawClient.connect(server.port())) {
      news.get("/events?topic=news", "Last-Event-ID: 1").readHead();
      assertThat(news.awaitBody("after")).endsWith("id: 2\ndata: skipped\n\nid: 3\ndata: after\n\n");
    }
  }

  /** An in-memory log whose tail skips the next event on demand, then reports the gap. */
  private static final class SkippingLog implements EventLog {
    private final InMemoryEventLog history = InMemoryEventLog.create();
    private volatile boolean skipNext;
    private volatile Runnable gap = () -> {};

    void skipNext() {
      skipNext = true;
    }

    @Override
    public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
      return history.append(topics, event, privateUpdate);
    }

    @Override
    public CompletionStage<Replay> readAfter(String lastEventId) {
      return history.readAfter(lastEventId);
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
