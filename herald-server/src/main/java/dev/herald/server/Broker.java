package dev.herald.server;

import dev.herald.protocol.Event;
import dev.herald.server.internal.RealBroker;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Publishes events to topics and fans them out to the topic streams it holds. Every subscriber of
 * a topic receives each event once, in the log's order, whatever the number of topics it follows;
 * the event is encoded once and the same bytes are shared by all its subscribers.
 *
 * <p>A broker is built first, on its {@link EventLog}, and owns the event loops its streams run on:
 * {@code Broker broker = Broker.builder(log).build();} then {@code
 * HeraldServer.builder().broker(broker)} serves it over HTTP, and other transports open streams on
 * it with {@link #openStream}. A server built without a broker makes its own.
 *
 * <p>Thread-safe: publish from any thread.
 */
public interface Broker extends AutoCloseable {
  /** A broker on {@code log}; it closes the log when it closes. */
  static Builder builder(EventLog log) {
    return new Builder(log);
  }

  /**
   * Appends {@code event} to the history of {@code topic} and broadcasts it.
   *
   * @return the id the event goes out with, once the log made the event as durable as it promises;
   *     fails with {@link IllegalArgumentException} for an update the broker refuses (no topic, an
   *     empty topic, no data), with the log's error, or with {@link OverloadedException} when the
   *     fan-out queues are over their limit
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

  /**
   * Opens a topic stream for a transport other than Herald's server: the broker assigns it to one
   * of its event loops, registers it (holding live events), reads the history after the request's
   * {@link StreamRequest#lastEventId()} if any, and then calls {@code transport} on that loop as
   * {@link StreamTransport} describes. {@code request} is what {@link BrokerListener}s see.
   *
   * @return the handle through which the transport reports writability and the connection's close
   */
  StreamHandle openStream(StreamRequest request, Subscription subscription, StreamTransport transport);

  /** Counters since start, for metrics. */
  BrokerStats stats();

  /** Subscribers currently connected to {@code topic} (exact subscriptions, not patterns). */
  int subscriberCount(String topic);

  /** Open event-stream connections, topic subscribers and per-request streams alike. */
  int connectionCount();

  /** Adds a listener for connects, disconnects and publishes; called on Herald's threads. */
  void addListener(BrokerListener listener);

  /**
   * Ends every stream with the {@code retry:} hint (clients come back after it), closes the log,
   * then stops the event loops. Idempotent.
   */
  @Override
  void close();

  /** Configures a {@link Broker}; every setting has a documented default. */
  final class Builder {
    /** Default interval between heartbeat comments on an otherwise quiet stream. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
    /** Default {@code retry:} hint: the first frame of a stream, and the last at shutdown. */
    public static final Duration DEFAULT_RETRY_HINT = Duration.ofSeconds(3);
    /** Default bytes of events waiting for fan-out before publishes are refused. */
    public static final long DEFAULT_MAX_QUEUED_FANOUT_BYTES = 64L * 1024 * 1024;

    /** Default bytes of one replay page ({@link ReplayRequest#sizeOf}): what one resuming stream holds of its history at once. */
    public static final long DEFAULT_REPLAY_PAGE_BYTES = 1024 * 1024;
    /** Default bytes every replay of the broker may hold at once, all streams together. */
    public static final long DEFAULT_MAX_REPLAY_BYTES = 64L * 1024 * 1024;

    private final EventLog log;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration retryHint = DEFAULT_RETRY_HINT;
    private long maxQueuedFanoutBytes = DEFAULT_MAX_QUEUED_FANOUT_BYTES;
    private long replayPageBytes = DEFAULT_REPLAY_PAGE_BYTES;
    private long maxReplayBytes = DEFAULT_MAX_REPLAY_BYTES;

    private Builder(EventLog log) {
      this.log = Objects.requireNonNull(log, "log");
    }

    /** Event loops, which also serve a {@link HeraldServer}'s connections. Default: the number of processors. */
    public Builder ioThreads(int threads) {
      if (threads < 1) throw new IllegalArgumentException("ioThreads must be positive: " + threads);
      this.ioThreads = threads;
      return this;
    }

    /** How often a quiet stream gets a {@code :} comment. Default 15 s. */
    public Builder heartbeatInterval(Duration interval) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeatInterval must be positive: " + interval);
      }
      this.heartbeatInterval = interval;
      return this;
    }

    /** The {@code retry:} hint written first on every stream opened with {@link #openStream} and at close. Default 3 s. */
    public Builder retryHint(Duration retryHint) {
      if (retryHint == null || retryHint.isNegative()) throw new IllegalArgumentException("retryHint must not be negative");
      this.retryHint = retryHint;
      return this;
    }

    /**
     * Bytes of events waiting for the event loops to write them to subscribers; above it, publishes
     * fail with {@link OverloadedException} instead of growing memory. Default 64 MiB.
     */
    public Builder maxQueuedFanoutBytes(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("maxQueuedFanoutBytes must not be negative: " + bytes);
      this.maxQueuedFanoutBytes = bytes;
      return this;
    }

    /**
     * Bytes of one page of a replay, counted as {@link ReplayRequest#sizeOf} estimates what its
     * events hold in memory (a page also holds at most 1,000 events, and at least
     * one, however large): a resuming stream reads its history a page at a time, and reads the next
     * once the last one was written to its connection. Default 1 MiB.
     */
    public Builder replayPageBytes(long bytes) {
      if (bytes < 1) throw new IllegalArgumentException("replayPageBytes must be positive: " + bytes);
      this.replayPageBytes = bytes;
      return this;
    }

    /**
     * Bytes ({@link ReplayRequest#sizeOf}) all replays may hold at once: a stream reserves a page's bytes before it reads
     * the page, and waits its turn while they are spent (its client sees the history later, never
     * an error). At least one page is always allowed. Default 64 MiB.
     */
    public Builder maxReplayBytes(long bytes) {
      if (bytes < 1) throw new IllegalArgumentException("maxReplayBytes must be positive: " + bytes);
      this.maxReplayBytes = bytes;
      return this;
    }

    /** Starts the broker's event loops and makes it the log's tail consumer. */
    public Broker build() {
      return new RealBroker(log, ioThreads, heartbeatInterval, retryHint, maxQueuedFanoutBytes, replayPageBytes,
          maxReplayBytes);
    }
  }
}
