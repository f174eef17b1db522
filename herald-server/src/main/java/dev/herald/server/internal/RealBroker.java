package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.BrokerListener;
import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import dev.herald.server.StreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker: takes publishes to the log and fans the log's tail out to every event loop. One
 * event becomes one chunk buffer, shared by all loops and subscribers.
 */
public final class RealBroker implements Broker {
  private final EventLog log;
  private final Map<EventExecutor, LoopFanout> fanouts = new IdentityHashMap<>();
  private final LoopFanout[] fanoutArray;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<BrokerListener> listeners = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.LongAdder published = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder slowClosed = new java.util.concurrent.atomic.LongAdder();

  private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
  private final long maxQueuedBytes;

  // The newest events fanned out, for a gap's marker. Written and read on the tail only, one call at
  // a time, but a log may call its tail from different threads (the in-memory log calls it on each
  // publisher's).
  private volatile StoredEvent lastFannedOut;
  private volatile StoredEvent lastPublicFannedOut;

  public RealBroker(EventLog log, EventLoopGroup group, Duration heartbeatInterval, long maxQueuedBytes) {
    this.log = log;
    this.maxQueuedBytes = maxQueuedBytes;
    List<LoopFanout> list = new ArrayList<>();
    for (EventExecutor executor : group) {
      LoopFanout f = new LoopFanout((EventLoop) executor, this);
      f.startHeartbeats(heartbeatInterval);
      fanouts.put(executor, f);
      list.add(f);
    }
    this.fanoutArray = list.toArray(new LoopFanout[0]);
    log.onAppend(this::fanOut);
    log.onTailGap(this::tailGap);
  }

  public EventLog log() {
    return log;
  }

  @Override
  public CompletionStage<String> publish(Collection<String> topics, Event event, boolean privateUpdate) {
    if (topics.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("publish needs at least one topic"));
    }
    for (String topic : topics) {
      if (topic == null || topic.isEmpty()) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("topic must not be empty"));
      }
    }
    if (event.data() == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("a published event needs data"));
    }
    long queued = queuedBytes.get();
    if (queued > maxQueuedBytes) {
      // Bounded memory: refuse rather than queue without end when publishers outrun the fan-out.
      return CompletableFuture.failedFuture(new dev.herald.server.OverloadedException(queued, maxQueuedBytes));
    }
    try {
      return log.append(List.copyOf(topics), event, privateUpdate).thenApply(StoredEvent::id);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The log's tail: called in log order, one event at a time. */
  private void fanOut(StoredEvent event) {
    ByteBuf chunk = Frames.chunk(PooledByteBufAllocator.DEFAULT, event.frame());
    int payloadOffset = Frames.payloadOffset(chunk);
    queuedBytes.addAndGet((long) chunk.readableBytes() * fanoutArray.length);
    try {
      for (LoopFanout f : fanoutArray) f.offer(new Pending(event, chunk.retain(), payloadOffset));
    } finally {
      chunk.release();
    }
    lastFannedOut = event;
    if (!event.privateUpdate()) lastPublicFannedOut = event;
    published.increment();
    for (BrokerListener l : listeners) l.onPublish(event.id(), event.topics());
  }

  /**
   * The log skipped events: in the fan-out queues, between the events before and after the gap, a
   * marker that ends every topic subscriber, so none receives an event after the gap on a stream
   * that missed the ones before it. The marker carries the last events before the gap, so that a
   * live subscriber that got no event yet (and so has no id to resume from) can be given one.
   */
  private void tailGap() {
    LoopFanout.LOG.warn("the event log skipped events this node had not delivered: ending every topic subscriber's"
        + " stream so that each resumes from its Last-Event-ID and sees the history cut");
    // It holds no buffer reference, so every loop can share it.
    Pending marker = Pending.gap(lastFannedOut, lastPublicFannedOut);
    for (LoopFanout f : fanoutArray) f.offer(marker);
  }

  @Override
  public dev.herald.server.BrokerStats stats() {
    long delivered = 0;
    for (LoopFanout f : fanoutArray) delivered += f.delivered();
    return new dev.herald.server.BrokerStats(connections.get(), published.sum(), delivered, slowClosed.sum());
  }

  @Override
  public int subscriberCount(String topic) {
    AtomicInteger n = counts.get(topic);
    return n == null ? 0 : n.get();
  }

  @Override
  public int connectionCount() {
    return connections.get();
  }

  @Override
  public void addListener(BrokerListener listener) {
    listeners.add(listener);
  }

  /** A loop finished writing a queued event. */
  void drained(int bytes) {
    queuedBytes.addAndGet(-bytes);
  }

  LoopFanout fanoutFor(EventLoop loop) {
    LoopFanout f = fanouts.get(loop);
    if (f == null) throw new IllegalStateException("channel on an event loop the broker does not know");
    return f;
  }

  void connected(SseConnection c) {
    c.fanout.register(c);
    connections.incrementAndGet();
    if (c.subscription != null && c.subscription.endsAt() != null) {
      // On the connection's own loop, like every write to it; cancelled if it closes first.
      long nanos = java.time.Duration.between(java.time.Instant.now(), c.subscription.endsAt()).toNanos();
      java.util.concurrent.ScheduledFuture<?> end = c.channel.eventLoop().schedule(() -> {
        LoopFanout.LOG.debug("ending {}: its subscription ended at {}", describe(c.request), c.subscription.endsAt());
        c.end(null);
      }, Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
      c.onClose(() -> end.cancel(false));
    }
    if (c.subscription != null) {
      for (String topic : c.subscription.topics()) {
        counts.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
      }
    }
    for (BrokerListener l : listeners) l.onConnect(c.request);
  }

  void disconnected(SseConnection c, String reason) {
    c.fanout.unregister(c);
    connections.decrementAndGet();
    if (c.subscription != null) {
      for (String topic : c.subscription.topics()) {
        counts.computeIfPresent(topic, (t, n) -> n.decrementAndGet() == 0 ? null : n);
      }
    }
    c.closed();
    for (BrokerListener l : listeners) l.onDisconnect(c.request, reason);
  }

  void slowConsumerClosed(SseConnection c, long pendingBytes) {
    slowClosed.increment();
    LoopFanout.LOG.info("closing slow consumer {} ({} bytes pending)", c.request.remoteAddress(), pendingBytes);
    for (BrokerListener l : listeners) l.onSlowConsumerClosed(c.request, pendingBytes);
  }

  /** Ends every stream on every loop; the returned stage completes when all loops did. */
  public CompletableFuture<Void> closeAll(Event farewell) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (LoopFanout f : fanoutArray) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      f.loop.execute(() -> {
        try {
          f.closeAll(farewell);
        } finally {
          d.complete(null);
        }
      });
      done.add(d);
    }
    return CompletableFuture.allOf(done.toArray(new CompletableFuture[0]));
  }

  static String describe(StreamRequest r) {
    return r.remoteAddress() + " " + r.path();
  }
}
