package dev.herald.server;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import java.util.List;

/**
 * An event as the log keeps it: the id it goes out with, its position in the log's one global
 * order, its topics, and its frame, encoded once (with the id) for every subscriber and replay.
 */
public final class StoredEvent {
  private final String id;
  private final long position;
  private final List<String> topics;
  private final Event event;
  private final long timestampMillis;
  private final byte[] frame;
  private final boolean privateUpdate;

  private StoredEvent(String id, long position, List<String> topics, Event event, long timestampMillis,
      boolean privateUpdate) {
    this.privateUpdate = privateUpdate;
    this.id = id;
    this.position = position;
    this.topics = List.copyOf(topics);
    this.event = event.id() != null && event.id().equals(id) ? event : event.toBuilder().id(id).build();
    this.timestampMillis = timestampMillis;
    this.frame = EventEncoder.encode(this.event);
  }

  /**
   * Creates a stored event and encodes its frame.
   *
   * @param id the id sent to clients; must be a valid SSE id
   * @param position the log order: strictly increasing with each append
   * @param topics at least one, none empty: the broker checked them where the update entered
   */
  public static StoredEvent of(String id, long position, List<String> topics, Event event, long timestampMillis,
      boolean privateUpdate) {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("a stored event needs an id");
    return new StoredEvent(id, position, topics, event, timestampMillis, privateUpdate);
  }

  /** Whether only subscribers authorised for one of its topics may receive it. */
  public boolean privateUpdate() {
    return privateUpdate;
  }

  public String id() {
    return id;
  }

  public long position() {
    return position;
  }

  /** The topics it was published to; the first is canonical. */
  public List<String> topics() {
    return topics;
  }

  /** The event, carrying {@link #id()}. */
  public Event event() {
    return event;
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  /** The encoded frame. Shared: do not modify. */
  public byte[] frame() {
    return frame;
  }

  @Override
  public String toString() {
    return "StoredEvent{" + id + "@" + position + " " + topics + "}";
  }
}
