package dev.herald.spring;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What one herald-client {@code EventSource} received, in order: events of the types it listens
 * to, and its opens, for a test to take one by one.
 */
final class Received {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  final BlockingQueue<MessageEvent> events = new LinkedBlockingQueue<>();
  final BlockingQueue<String> opens = new LinkedBlockingQueue<>();

  /** A source on {@code url} listening to unnamed events and to {@code types}. */
  EventSource open(String url, String lastEventId, String... types) {
    return open(EventSource.builder(url), lastEventId, types);
  }

  /** The same from a builder the test configured (headers, say). */
  EventSource open(EventSource.Builder builder, String lastEventId, String... types) {
    EventSource.Builder b = builder
        .initialRetryDelay(Duration.ofMillis(100))
        .onOpen(es -> opens.add("open"))
        .onMessage((es, e) -> events.add(e));
    for (String type : types) b.addEventListener(type, (es, e) -> events.add(e));
    if (lastEventId != null) b.lastEventId(lastEventId);
    return b.build();
  }

  MessageEvent take() throws InterruptedException {
    MessageEvent e = events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (e == null) throw new AssertionError("no event within " + TIMEOUT);
    return e;
  }

  List<MessageEvent> take(int n) throws InterruptedException {
    List<MessageEvent> list = new ArrayList<>();
    for (int i = 0; i < n; i++) list.add(take());
    return list;
  }

  void awaitOpen() throws InterruptedException {
    if (opens.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS) == null) throw new AssertionError("no open within " + TIMEOUT);
  }
}
