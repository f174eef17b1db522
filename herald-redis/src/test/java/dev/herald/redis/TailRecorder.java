package dev.herald.redis;

import dev.herald.server.StoredEvent;
import java.util.ArrayList;
import java.util.List;

/** A log's tail consumer that records every event it is handed, in the order it was handed them. */
final class TailRecorder {
  private final List<StoredEvent> events = new ArrayList<>();

  private TailRecorder() {}

  /** Records what {@code log}'s tail delivers from now on. */
  static TailRecorder on(RedisEventLog log) {
    TailRecorder recorder = new TailRecorder();
    log.onAppend(recorder::record);
    return recorder;
  }

  private synchronized void record(StoredEvent event) {
    events.add(event);
  }

  synchronized List<StoredEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<String> ids() {
    return events.stream().map(StoredEvent::id).toList();
  }

  synchronized boolean received(String id) {
    return events.stream().anyMatch(e -> e.id().equals(id));
  }
}
