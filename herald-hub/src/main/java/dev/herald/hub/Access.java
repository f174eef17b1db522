package dev.herald.hub;

import dev.herald.server.TopicPattern;
import java.time.Instant;
import java.util.List;

/**
 * What a verified token allows: the topic selectors it may publish to and subscribe to.
 *
 * @param publish selectors every topic of a published update must match
 * @param subscribe selectors that open private updates to the bearer
 * @param expiresAt when the token stops allowing anything (its {@code exp}); null if never
 */
record Access(List<TopicPattern> publish, List<TopicPattern> subscribe, Instant expiresAt) {
  static final Access ANONYMOUS = new Access(List.of(), List.of());

  Access {
    publish = List.copyOf(publish);
    subscribe = List.copyOf(subscribe);
  }

  /** Rights that do not expire. */
  Access(List<TopicPattern> publish, List<TopicPattern> subscribe) {
    this(publish, subscribe, null);
  }

  /** Whether every topic is matched by one of the publish selectors. */
  boolean canPublish(List<String> topics) {
    for (String topic : topics) {
      boolean covered = false;
      for (TopicPattern p : publish) {
        if (p.matches(topic)) {
          covered = true;
          break;
        }
      }
      if (!covered) return false;
    }
    return !topics.isEmpty();
  }
}
