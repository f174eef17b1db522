package dev.herald.redis.internal;

import dev.herald.server.StoredEvent;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one reader of the stream: {@code XREAD BLOCK} from the last id it delivered, on its
 * own connection, handing each entry to the tail consumer in stream order. When Redis is away it
 * retries with backoff and resumes from the last delivered id, so the consumer sees no gap and no
 * duplicate. Runs on its own thread until {@link #stop()}.
 *
 * <p>A reader further behind than the stream keeps finds entries trimmed before it read them. So
 * it can read what is there with a script that, in the same step, checks that the last entry it
 * delivered is still in the stream: trimming goes from the oldest entry, so if that one is there,
 * every later one is. If it is gone, entries after it may be gone too (or, rarely, none was), or
 * Redis lost it (a restart without {@code appendfsync always}, a failover): either way this node's
 * subscribers can no longer trust their view, and the gap listener hears of it before the entries
 * after it are delivered. (The age trim keeps the newest entry, so an idle stream is no gap.) The
 * checked read (a Lua script) costs Redis
 * more than an {@code XREAD}, so it runs only when a trim could have happened unseen: after each
 * connect, and when an {@code XREAD} returns as many entries as could hide one
 * ({@code min(batch, maxEvents)}: a trim past the last entry leaves at least {@code maxEvents}
 * after it), whose entries are then read again, checked. Otherwise the reader blocks on
 * {@code XREAD}, which returns entries as they arrive.
 */
public final class StreamTail implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamTail.class);
  private static final int BATCH = 1000;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
  /**
   * KEYS[1] the stream, ARGV[1] the last id delivered, ARGV[2] the count. Returns {state, entries
   * after it} or, when the stream went back below it, {BACKWARDS, newest id}. States: the last
   * entry is still there (or the stream is empty: everything lost, nothing to have skipped), or it
   * is MISSING (trimmed while this node lagged, so later entries may be gone unread; or lost in a
   * Redis restart or failover, so the history this node's subscribers saw is gone).
   */
  private static final String READ_AFTER = String.join("\n",
      "local state = 0",
      "if ARGV[1] ~= '0-0' and #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then",
      "  local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]",
      "  if newest ~= nil then",
      "    local nm, ns = string.match(newest[1], '^(%d+)-(%d+)$')",
      "    local lm, ls = string.match(ARGV[1], '^(%d+)-(%d+)$')",
      "    nm, ns, lm, ls = tonumber(nm), tonumber(ns), tonumber(lm), tonumber(ls)",
      "    if nm < lm or (nm == lm and ns < ls) then return {3, newest[1]} end",
      "    state = 1",
      "  end",
      "end",
      "return {state, redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])}");
  private static final int KEPT = 0;
  private static final int MISSING = 1;
  private static final int BACKWARDS = 3;

  private final RedisClient client;
  private final String key;
  private final Duration block;
  private final String node;
  private final PendingAppends pending;
  private final Runnable onRedisAnswered;
  private final long maxEvents;
  private volatile Consumer<StoredEvent> consumer = e -> {};
  private volatile Runnable gap = () -> {};
  private volatile boolean stopped;
  private volatile boolean redisAnswered;
  private volatile boolean reconnect;
  private volatile String lastFailure;
  private volatile long connects; // connections made so far
  private volatile String lastDelivered;
  private volatile Thread thread;
  /** Whether the thread may be interrupted now: only while it waits (XREAD BLOCK, backoff). */
  private boolean interruptible; // guarded by this

  public StreamTail(RedisClient client, String key, Duration block, long maxEvents, String node,
      PendingAppends pending, Runnable onRedisAnswered) {
    this.client = client;
    this.maxEvents = maxEvents;
    this.key = key;
    this.block = block;
    this.node = node;
    this.pending = pending;
    this.onRedisAnswered = onRedisAnswered;
  }

  public void consumer(Consumer<StoredEvent> consumer) {
    this.consumer = Objects.requireNonNull(consumer, "tail");
  }

  /** Called, on the tail thread, when entries were trimmed before this reader delivered them. */
  public void gap(Runnable gap) {
    this.gap = Objects.requireNonNull(gap, "gap");
  }

  /**
   * Makes the reader drop its connection and connect again (with a Sentinel URI: to the primary
   * Sentinel names now) before its next read. Called on the tail thread.
   */
  public void reconnect() {
    reconnect = true;
  }

  /** How many connections the reader made so far: a new one may lead elsewhere (through Sentinel). */
  public long connects() {
    return connects;
  }

  /** Why the last read (or connect) failed, with Redis's own words; null after a successful read. */
  public String lastFailure() {
    return lastFailure;
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
    boolean check = true; // whether the next read must be the checked one
    while (!stopped) {
      try {
        if (reconnect && connection != null) {
          connection.closeAsync();
          connection = null;
        }
        reconnect = false;
        if (connection == null) {
          connection = client.connect(StringCodec.UTF8);
          connects++;
          check = true; // a new connection may lead to a stream that lost or forked history
        }
        RedisCommands<String, String> redis = connection.sync();
        if (lastDelivered == null) lastDelivered = newestId(redis);
        int state = KEPT;
        List<StreamMessage<String, String>> batch;
        List<Object> read = null;
        if (check) {
          read = redis.eval(READ_AFTER, ScriptOutputType.MULTI, new String[] {key}, lastDelivered, Integer.toString(BATCH));
          state = ((Number) read.get(0)).intValue();
          batch = state == BACKWARDS ? List.of() : entries(read.get(1));
          // A full batch leaves more behind: read on, checked, until caught up.
          check = batch.size() >= BATCH;
        } else {
          if (!interruptible(true)) break;
          try {
            batch = redis.xread(XReadArgs.Builder.block(block).count(BATCH), XReadArgs.StreamOffset.from(key, lastDelivered));
          } finally {
            interruptible(false);
          }
          // Entries that were there already, as many as could hide a trim: read them again, checked.
          if (batch.size() >= Math.min(BATCH, maxEvents)) {
            batch = List.of();
            check = true;
          }
        }
        if (!redisAnswered) LOG.info("reading Redis stream {} after {}", key, lastDelivered);
        redisAnswered = true;
        lastFailure = null;
        backoff = MIN_BACKOFF;
        guarded("the Redis answered hook", onRedisAnswered);
        if (state == BACKWARDS) {
          // The stream's newest entry is older than what this node delivered: Redis lost the newest
          // entries (a restart, a failover). Whatever comes next is read from its newest entry on.
          String newest = (String) read.get(1);
          LOG.warn("Redis stream {} went back from {} to {} (Redis lost its newest entries): this node's"
              + " subscribers start over from their Last-Event-ID", key, lastDelivered, newest);
          guarded("the gap listener", gap);
          lastDelivered = newest;
          pending.passed(StreamIds.position(newest));
          continue;
        }
        if (state == MISSING && !batch.isEmpty()) {
          LOG.warn("Redis stream {} no longer holds {}, the last entry this node delivered (trimmed while this node"
              + " lagged, or lost by Redis), and maybe entries after it: its subscribers start over from their"
              + " Last-Event-ID", key, lastDelivered);
          guarded("the gap listener", gap);
        }
        for (StreamMessage<String, String> m : batch) {
          if (stopped) break;
          deliver(m);
        }
        if (!batch.isEmpty()) pending.passed(StreamIds.position(lastDelivered));
      } catch (RuntimeException e) {
        if (stopped) break;
        String why = rootMessage(e);
        // Once per cause: a wrong password or an untrusted certificate would otherwise never be logged.
        if (redisAnswered || !why.equals(lastFailure)) {
          LOG.warn("Redis stream {} unavailable, retrying from {}: {}", key, lastDelivered, why);
        }
        lastFailure = why;
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

  /** Runs a hook of the log's owner: its failure must neither stop the reader nor pass for Redis's. */
  private static void guarded(String what, Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      LOG.error("{} failed", what, e);
    }
  }

  /** The entries of an XRANGE reply passed through a script: {@code [[id, [field, value, ...]], ...]}. */
  @SuppressWarnings("unchecked")
  private List<StreamMessage<String, String>> entries(Object reply) {
    List<Object> entries = (List<Object>) reply;
    List<StreamMessage<String, String>> messages = new ArrayList<>(entries.size());
    for (Object e : entries) {
      List<Object> entry = (List<Object>) e;
      List<Object> fields = (List<Object>) entry.get(1);
      Map<String, String> body = new LinkedHashMap<>(fields.size());
      for (int i = 0; i + 1 < fields.size(); i += 2) body.put((String) fields.get(i), (String) fields.get(i + 1));
      messages.add(new StreamMessage<>(key, (String) entry.get(0), body));
    }
    return messages;
  }

  /** The deepest cause's message: {@code WRONGPASS ...}, {@code Connection refused ...}, a certificate error. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  /** Where a fresh node starts: after the newest entry, so it delivers only what comes next. */
  private String newestId(RedisCommands<String, String> redis) {
    List<StreamMessage<String, String>> newest = redis.xrevrange(key, Range.unbounded(), Limit.from(1));
    return newest.isEmpty() ? "0-0" : newest.get(0).getId();
  }

  private void pause(Duration d) {
    if (!interruptible(true)) return;
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      stopped = true;
    } finally {
      interruptible(false);
    }
  }

  /**
   * Marks the waits that {@link #stop()} may cut short; returns false if stopped already. Never
   * during a connect: an interrupted connect goes on without its caller, and a channel still
   * connecting when the client shuts down is never unregistered, leaking Lettuce's read buffer.
   */
  private synchronized boolean interruptible(boolean waiting) {
    interruptible = waiting && !stopped;
    if (!waiting) Thread.interrupted(); // a stop that came as the wait ended: stopped says it already
    return !stopped;
  }

  /** Stops the loop: at once if it waits (XREAD BLOCK, backoff), else after its current command. */
  public synchronized void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null && interruptible) t.interrupt();
  }
}
