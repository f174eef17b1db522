package dev.herald.redis.internal;

import dev.herald.server.StoredEvent;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one reader of the stream: {@code XREAD BLOCK} from the last id it delivered, on its
 * own connection, handing each entry to the tail consumer in stream order. When Redis is away it
 * retries with backoff and resumes from the last delivered id, so the consumer sees no gap and no
 * duplicate. Runs on its own thread until {@link #stop()}.
 */
public final class StreamTail implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamTail.class);
  private static final int BATCH = 1000;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

  private final RedisClient client;
  private final String key;
  private final Duration block;
  private final String node;
  private final PendingAppends pending;
  private final Runnable onRedisAnswered;
  private volatile Consumer<StoredEvent> consumer = e -> {};
  private volatile boolean stopped;
  private volatile boolean redisAnswered;
  private volatile String lastDelivered;
  private volatile Thread thread;

  public StreamTail(RedisClient client, String key, Duration block, String node, PendingAppends pending,
      Runnable onRedisAnswered) {
    this.client = client;
    this.key = key;
    this.block = block;
    this.node = node;
    this.pending = pending;
    this.onRedisAnswered = onRedisAnswered;
  }

  public void consumer(Consumer<StoredEvent> consumer) {
    this.consumer = Objects.requireNonNull(consumer, "tail");
  }

  /** Whether the last read from Redis succeeded. */
  public boolean redisAnswered() {
    return redisAnswered;
  }

  /** The id of the last entry delivered, or null before the first read. */
  public String lastDelivered() {
    return lastDelivered;
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    StatefulRedisConnection<String, String> connection = null;
    Duration backoff = MIN_BACKOFF;
    while (!stopped) {
      try {
        if (connection == null) connection = client.connect(StringCodec.UTF8);
        RedisCommands<String, String> redis = connection.sync();
        if (lastDelivered == null) lastDelivered = newestId(redis);
        List<StreamMessage<String, String>> batch = redis.xread(
            XReadArgs.Builder.block(block).count(BATCH), XReadArgs.StreamOffset.from(key, lastDelivered));
        if (!redisAnswered) LOG.info("reading Redis stream {} after {}", key, lastDelivered);
        redisAnswered = true;
        backoff = MIN_BACKOFF;
        onRedisAnswered.run();
        for (StreamMessage<String, String> m : batch) {
          if (stopped) break;
          deliver(m);
        }
        if (!batch.isEmpty()) pending.passed(StreamIds.position(lastDelivered));
      } catch (RuntimeException e) {
        if (stopped) break;
        if (redisAnswered) LOG.warn("Redis stream {} unavailable, retrying from {}: {}", key, lastDelivered, e.toString());
        redisAnswered = false;
        if (connection != null) {
          // Reconnecting is ours (auto-reconnect is off): a fresh connection, then XREAD from lastDelivered.
          connection.closeAsync();
          connection = null;
        }
        pause(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
    if (connection != null) connection.close();
  }

  private void deliver(StreamMessage<String, String> m) {
    StoredEvent event;
    try {
      event = EntryCodec.decode(m.getId(), m.getBody());
    } catch (RuntimeException e) {
      LOG.error("skipping stream entry {} of {}: {}", m.getId(), key, e.toString());
      lastDelivered = m.getId();
      return;
    }
    try {
      consumer.accept(event);
    } catch (RuntimeException e) {
      LOG.error("tail consumer failed on {}", event, e);
    }
    lastDelivered = m.getId();
    if (node.equals(EntryCodec.node(m.getBody()))) pending.delivered(m.getId(), event);
  }

  /** Where a fresh node starts: after the newest entry, so it delivers only what comes next. */
  private String newestId(RedisCommands<String, String> redis) {
    List<StreamMessage<String, String>> newest = redis.xrevrange(key, Range.unbounded(), Limit.from(1));
    return newest.isEmpty() ? "0-0" : newest.get(0).getId();
  }

  private void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }

  /** Stops the loop; it ends within one block interval (at once if waiting to retry). */
  public void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null) t.interrupt();
  }
}
