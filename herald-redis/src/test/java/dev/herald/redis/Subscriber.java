package dev.herald.redis;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An EventSource on one node that records every event (history cuts included) and every open. */
final class Subscriber implements AutoCloseable {
  private final List<MessageEvent> events = new ArrayList<>();
  private final AtomicInteger opens = new AtomicInteger();
  private final EventSource source;

  private Subscriber(int port, String topic, String lastEventId) {
    EventSource.Builder b = EventSource.builder("http://127.0.0.1:" + port + "/events?topic=" + topic)
        .initialRetryDelay(Duration.ofMillis(100))
        .maxRetryDelay(Duration.ofMillis(200))
        .onOpen(es -> opens.incrementAndGet())
        .onMessage((es, e) -> record(e))
        .addEventListener("history-cut", (es, e) -> record(e));
    if (lastEventId != null) b.lastEventId(lastEventId);
    this.source = b.build();
  }

  static Subscriber to(int port, String topic) {
    return new Subscriber(port, topic, null);
  }

  static Subscriber resuming(int port, String topic, String lastEventId) {
    return new Subscriber(port, topic, lastEventId);
  }

  private synchronized void record(MessageEvent e) {
    events.add(e);
  }

  synchronized List<MessageEvent> events() {
    return List.copyOf(events);
  }

  /** Data of the {@code message} events, in order. */
  synchronized List<String> data() {
    return events.stream().filter(e -> e.type().equals("message")).map(MessageEvent::data).toList();
  }

  /** Ids of the {@code message} events, in order. */
  synchronized List<String> ids() {
    return events.stream().filter(e -> e.type().equals("message")).map(MessageEvent::lastEventId).toList();
  }

  synchronized boolean received(String data) {
    return events.stream().anyMatch(e -> e.data().equals(data));
  }

  int opens() {
    return opens.get();
  }

  @Override
  public void close() {
    source.close();
  }
}
