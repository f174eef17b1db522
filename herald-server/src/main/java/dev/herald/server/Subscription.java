package dev.herald.server;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What one connection follows: exact topics and patterns, and which private updates it may see.
 * An event reaches the connection once if any of its topics is one of {@code topics} or matches
 * one of {@code patterns}; a private event also needs one of its topics to match one of
 * {@code privateTopics}.
 *
 * @param topics exact topics, found with a hash lookup
 * @param patterns rules checked against each event's topics
 * @param privateTopics who this subscriber is authorised as for private updates; empty means it
 *     receives none
 * @param endsAt when the server ends the stream, whatever it is doing (the expiry of the token
 *     that allowed it, say): the client comes back, and must be allowed again; null for no end
 */
public record Subscription(Set<String> topics, List<TopicPattern> patterns, List<TopicPattern> privateTopics,
    Instant endsAt) {
  public Subscription {
    topics = Set.copyOf(topics);
    patterns = List.copyOf(patterns);
    privateTopics = List.copyOf(privateTopics);
  }

  /** A subscription with no end of its own. */
  public Subscription(Set<String> topics, List<TopicPattern> patterns, List<TopicPattern> privateTopics) {
    this(topics, patterns, privateTopics, null);
  }

  /** Public updates only. */
  public Subscription(Set<String> topics, List<TopicPattern> patterns) {
    this(topics, patterns, List.of(), null);
  }

  /** This subscription, ended by the server at {@code endsAt} (null: never). */
  public Subscription endingAt(Instant endsAt) {
    return new Subscription(topics, patterns, privateTopics, endsAt);
  }

  public static Subscription of(String... topics) {
    return new Subscription(Set.of(topics), List.of());
  }

  /** Whether {@code event} is for this subscription, private updates included. */
  public boolean matches(StoredEvent event) {
    return matches(event.topics()) && (!event.privateUpdate() || authorisedFor(event.topics()));
  }

  /** Whether an event published to {@code eventTopics} is among what this subscription follows. */
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

  /** Whether a private update published to {@code eventTopics} may reach this subscription. */
  public boolean authorisedFor(List<String> eventTopics) {
    for (String t : eventTopics) {
      for (TopicPattern p : privateTopics) {
        if (p.matches(t)) return true;
      }
    }
    return false;
  }

  /** The number of exact topics plus patterns, which the server's per-connection limit bounds. */
  public int size() {
    return topics.size() + patterns.size();
  }
}
