package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster node whose tail is behind the node that told a client its last id: the client resumes
 * here, and the events up to that id arrive on this node's tail only afterwards. They must not be
 * sent again.
 */
class LaggingTailTest {
  private final LaggingLog log = new LaggingLog();
  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void eventsUpToTheResumedIdThatArriveLateOnTheTailAreNotSentAgain() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).eventLog(log).build().start();
    // Published elsewhere and already seen by the client, not yet read by this node's tail.
    String seen = server.broker().publish("news", Event.of("seen on another node")).toCompletableFuture().get();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=news", "Last-Event-ID: " + seen).readHead().awaitBody("retry");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.broker().subscriberCount("news") == 1);

      log.catchUp(); // the tail delivers "seen" only now
      server.broker().publish("news", Event.of("new")).toCompletableFuture().get();
      log.catchUp();

      assertThat(c.awaitBody("data: new\n\n")).doesNotContain("seen on another node");
    }
  }

  /** An in-memory log whose tail delivers only when told: the events wait as on a node behind. */
  private static final class LaggingLog implements EventLog {
    private final InMemoryEventLog history = InMemoryEventLog.create();
    private final List<StoredEvent> behind = new ArrayList<>();
    private volatile Consumer<StoredEvent> tail = e -> {};

    LaggingLog() {
      history.onAppend(e -> {
        synchronized (behind) {
          behind.add(e);
        }
      });
    }

    void catchUp() {
      List<StoredEvent> due;
      synchronized (behind) {
        due = List.copyOf(behind);
        behind.clear();
      }
      due.forEach(tail);
    }

    @Override
    public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
      return history.append(topics, event, privateUpdate);
    }

    @Override
    public CompletionStage<Replay> readAfter(String lastEventId) {
      // As the Redis log: the position of a known id (here, ids are positions).
      return history.readAfter(lastEventId).thenApply(r -> new Replay(r.events(), r.historyCut(),
          r.historyCut() ? Long.MIN_VALUE : Long.parseLong(lastEventId.substring(1))));
    }

    @Override
    public void onAppend(Consumer<StoredEvent> tail) {
      this.tail = tail;
    }

    @Override
    public void close() {
      history.close();
    }
  }
}
