package dev.herald.server;

import dev.herald.protocol.Event;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Publishes events to topics. Every subscriber of a topic receives each event once, in the log's
 * order, whatever the number of topics it follows; the event is encoded once and the same bytes are
 * shared by all its subscribers.
 *
 * <p>Thread-safe: publish from any thread.
 */
public interface Broker {
  /**
   * Appends {@code event} to the history of {@code topic} and broadcasts it.
   *
   * @return the id the event goes out with, once the log made the event as durable as it promises;
   *     fails with the log's error otherwise, or with {@link OverloadedException} when the fan-out
   *     queues are over their limit
   */
  default CompletionStage<String> publish(String topic, Event event) {
    return publish(List.of(topic), event);
  }

  /**
   * Publishes one event to several topics: a subscriber of more than one of them still receives it
   * once. The first topic is the event's canonical topic.
   */
  default CompletionStage<String> publish(Collection<String> topics, Event event) {
    return publish(topics, event, false);
  }

  /**
   * Publishes one event to several topics; a private update reaches only subscribers whose
   * {@link Subscription#privateTopics()} match one of its topics.
   */
  CompletionStage<String> publish(Collection<String> topics, Event event, boolean privateUpdate);

  /** Counters since start, for metrics. */
  BrokerStats stats();

  /** Subscribers currently connected to {@code topic} (exact subscriptions, not patterns). */
  int subscriberCount(String topic);

  /** Open event-stream connections, topic subscribers and per-request streams alike. */
  int connectionCount();

  /** Adds a listener for connects, disconnects and publishes; called on Herald's threads. */
  void addListener(BrokerListener listener);
}
