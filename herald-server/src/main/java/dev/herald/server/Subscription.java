package dev.herald.server;

import java.util.List;
import java.util.Set;

/**
 * What one connection follows: exact topics and patterns. An event reaches the connection once if
 * any of its topics is one of {@code topics} or matches one of {@code patterns}.
 */
public record Subscription(Set<String> topics, List<TopicPattern> patterns) {
  public Subscription {
    topics = Set.copyOf(topics);
    patterns = List.copyOf(patterns);
  }

  public static Subscription of(String... topics) {
    return new Subscription(Set.of(topics), List.of());
  }

  /** Whether an event published to {@code eventTopics} is for this subscription. */
  public boolean matches(List<String> eventTopics) {
    for (int i = 0; i < eventTopics.size(); i++) {
      String t = eventTopics.get(i);
      if (topics.contains(t)) return true;
      for (int p = 0; p < patterns.size(); p++) {
        if (patterns.get(p).matches(t)) return true;
      }
    }
    return false;
  }

  /** The number of exact topics plus patterns, which the server's per-connection limit bounds. */
  public int size() {
    return topics.size() + patterns.size();
  }
}
