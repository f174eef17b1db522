package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.protocol.Event;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** An update is checked once, where it enters the broker: the logs behind it never see a bad one. */
class BrokerPublishTest {
  private static void assertRefused(CompletionStage<String> publish, String message) {
    assertThatThrownBy(() -> publish.toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void anUpdateWithoutTopicDataOrWithAnEmptyTopicOrIdIsRefusedBeforeTheLog() throws Exception {
    InMemoryEventLog log = InMemoryEventLog.create();
    try (Broker broker = Broker.builder(log).ioThreads(1).build()) {
      assertRefused(broker.publish(List.of(), Event.of("x")), "missing topic: an update needs at least one topic");
      assertRefused(broker.publish(List.of("a", ""), Event.of("x")), "empty topic");
      assertRefused(broker.publish("a", Event.builder().id("").data("x").build()), "id must not be empty");
      assertRefused(broker.publish("a", Event.builder().id("7").build()), "a published event needs data");
      assertRefused(broker.publish("a", Event.builder().id("#1").data("x").build()),
          "id must not start with '#': such ids are the ones the log assigns");
      assertThat(log.size()).isZero();

      assertThat(broker.publish(List.of("a", "b"), Event.of("fine")).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isEqualTo("#1");
    }
  }

  @Test
  void afterCloseAPublishIsRefusedAndAnEventTheLogStillHandsOverIsDroppedWithoutALeak() throws Exception {
    AtomicReference<Consumer<StoredEvent>> tail = new AtomicReference<>();
    EventLog log = new EventLog() {
      private final InMemoryEventLog inner = InMemoryEventLog.create();

      @Override
      public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
        return inner.append(topics, event, privateUpdate);
      }

      @Override
      public CompletionStage<Replay> readAfter(String lastEventId) {
        return inner.readAfter(lastEventId);
      }

      @Override
      public void onAppend(Consumer<StoredEvent> consumer) {
        tail.set(consumer);
        inner.onAppend(consumer);
      }
    };
    Broker broker = Broker.builder(log).ioThreads(2).build();
    broker.close();

    assertThatThrownBy(() -> broker.publish("a", Event.of("late")).toCompletableFuture().get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(IllegalStateException.class).hasMessage("the broker is closed");
    // A cluster log's reader may deliver one more event while the broker closes: the frame it
    // would encode must not outlive it (LeakCheckExtension fails the class otherwise).
    for (int i = 0; i < 100; i++) {
      tail.get().accept(StoredEvent.of(Integer.toString(i + 1), i + 1, List.of("a"), Event.of("late " + i), 0, false));
    }
  }
}
