package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.protocol.Event;
import dev.herald.testing.EventStreamReader;
import org.junit.jupiter.api.Test;

/** {@code /console/stats}: the hub's figures once a second, rates from successive samples. */
class LiveFiguresTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void figuresArriveEverySecondWithCountsAndRates() throws Exception {
    try (InProcessHub hub = InProcessHub.start(null, false);
        EventStreamReader figures = EventStreamReader.open(hub.base + LiveFigures.PATH, null)) {
      JsonNode first = JSON.readTree(next(figures).data());
      assertThat(first.get("connections").asInt()).isGreaterThanOrEqualTo(1);
      for (int i = 0; i < 5; i++) hub.server.broker().publish("news", Event.of("n" + i)).toCompletableFuture().get();
      // Within two samples the five publishes show in the total and in a rate.
      JsonNode later = JSON.readTree(next(figures).data());
      if (later.get("published").asLong() < 5) later = JSON.readTree(next(figures).data());
      assertThat(later.get("published").asLong()).isEqualTo(5);
      assertThat(later.fieldNames()).toIterable().containsExactly("connections", "subscribers", "published", "delivered",
          "publishedPerSecond", "deliveredPerSecond", "slowConsumersClosed");
      double rate = later.get("publishedPerSecond").asDouble();
      if (rate == 0) rate = JSON.readTree(next(figures).data()).get("publishedPerSecond").asDouble(); // sampled in two
      assertThat(rate).isGreaterThan(0);
    }
  }

  @Test
  void subscribersCountTopicStreamsButNotTheFiguresStreamItself() throws Exception {
    try (InProcessHub hub = InProcessHub.start(null, false);
        EventStreamReader figures = EventStreamReader.open(hub.base + LiveFigures.PATH, null)) {
      next(figures); // the listener is registered with the first sample
      try (EventStreamReader subscriber = EventStreamReader.open(hub.base + "/.well-known/mercure?topic=a", null)) {
        JsonNode f = JSON.readTree(next(figures).data());
        for (int i = 0; i < 5 && f.get("subscribers").asInt() != 1; i++) f = JSON.readTree(next(figures).data());
        assertThat(f.get("subscribers").asInt()).isEqualTo(1);
        assertThat(f.get("connections").asInt()).isEqualTo(2);
      }
    }
  }

  private static EventStreamReader.Received next(EventStreamReader reader) throws InterruptedException {
    EventStreamReader.Received e = reader.take();
    assertThat(e.type()).isEqualTo("figures");
    return e;
  }

}
