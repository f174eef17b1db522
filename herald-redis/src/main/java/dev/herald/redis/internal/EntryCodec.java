package dev.herald.redis.internal;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an event into the fields of a stream entry and back, exactly: data, type, retry, each
 * comment and each topic in its own field (so no separator can clash with their text), the private
 * flag, the appending node and the publisher's own id if any. The entry id is the event id unless
 * the publisher gave one; its millisecond part is the timestamp.
 */
public final class EntryCodec {
  static final String DATA = "data";
  static final String TYPE = "type";
  static final String RETRY = "retry";
  static final String COMMENTS = "comments";
  static final String COMMENT = "comment.";
  static final String TOPICS = "topics";
  static final String TOPIC = "topic.";
  static final String PRIVATE = "private";
  static final String NODE = "node";
  static final String OWN_ID = "id";

  private EntryCodec() {}

  /** The fields of an entry for {@code event}, published by {@code node}. */
  public static Map<String, String> encode(List<String> topics, Event event, boolean privateUpdate, String node) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(NODE, node);
    if (event.id() != null) f.put(OWN_ID, event.id());
    f.put(TOPICS, Integer.toString(topics.size()));
    for (int i = 0; i < topics.size(); i++) f.put(TOPIC + i, topics.get(i));
    if (privateUpdate) f.put(PRIVATE, "1");
    if (event.data() != null) f.put(DATA, event.data());
    if (event.type() != null) f.put(TYPE, event.type());
    if (event.retry() != null) f.put(RETRY, Long.toString(event.retry().toMillis()));
    if (!event.comments().isEmpty()) {
      f.put(COMMENTS, Integer.toString(event.comments().size()));
      for (int i = 0; i < event.comments().size(); i++) f.put(COMMENT + i, event.comments().get(i));
    }
    return f;
  }

  /** The node that appended an entry. */
  public static String node(Map<String, String> fields) {
    return fields.get(NODE);
  }

  /**
   * Rebuilds the stored event of entry {@code id}.
   *
   * @throws IllegalArgumentException if the entry was not written by this codec
   */
  public static StoredEvent decode(String id, Map<String, String> f) {
    String topicCount = f.get(TOPICS);
    if (topicCount == null) throw new IllegalArgumentException("stream entry " + id + " is not a Herald event");
    List<String> topics = new ArrayList<>();
    for (int i = 0, n = Integer.parseInt(topicCount); i < n; i++) topics.add(f.get(TOPIC + i));
    Event.Builder b = Event.builder();
    if (f.containsKey(DATA)) b.data(f.get(DATA));
    if (f.containsKey(TYPE)) b.type(f.get(TYPE));
    if (f.containsKey(RETRY)) b.retry(Duration.ofMillis(Long.parseLong(f.get(RETRY))));
    if (f.containsKey(COMMENTS)) {
      for (int i = 0, n = Integer.parseInt(f.get(COMMENTS)); i < n; i++) b.comment(f.get(COMMENT + i));
    }
    // The id clients see: the publisher's own, else the entry id marked as assigned ("#<ms>-<seq>");
    // the position is the entry's.
    String eventId = f.containsKey(OWN_ID) ? f.get(OWN_ID) : EventLog.ASSIGNED_ID_MARK + id;
    b.id(eventId);
    return StoredEvent.of(eventId, StreamIds.position(id), topics, b.build(), StreamIds.millis(id),
        "1".equals(f.get(PRIVATE)));
  }
}
