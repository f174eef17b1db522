package dev.herald.server.internal;

import dev.herald.protocol.Event;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribers of one event loop and the events on their way to them. Publishers only enqueue
 * (a lock-free queue); the loop drains everything queued in one task, writes each event to each of
 * its subscribers, then flushes every connection it wrote to once. So a burst of publishes costs
 * one flush (one TCP segment, when it fits) per connection, not one per event.
 *
 * <p>Everything but {@link #offer} and {@link #scheduleFlush} runs on the loop's thread, so the
 * subscriber index needs no lock.
 */
final class LoopFanout implements Runnable {
  static final Logger LOG = LoggerFactory.getLogger("dev.herald.server");
  private static final SseStream[] NONE = new SseStream[0];

  final EventLoop loop;
  private final RealBroker broker;
  private final Queue<Pending> queue = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  // Arrays, replaced on change: delivery iterates them while a write may close a connection.
  private final Map<String, SseStream[]> byTopic = new HashMap<>();
  private SseStream[] byPattern = NONE;
  // Every registered stream, unordered; each knows its index (SseStream.slot). An array rather
  // than a set: 4 bytes a stream instead of a hash entry's 40 or so, for tens of thousands.
  private SseStream[] all = new SseStream[64];
  private int allCount;
  private final List<SseStream> dirty = new ArrayList<>();
  private boolean draining;
  private long deliveredCount; // loop thread only
  private volatile long delivered; // published once per flush, for stats()

  LoopFanout(EventLoop loop, RealBroker broker) {
    this.loop = loop;
    this.broker = broker;
  }

  void startHeartbeats(Duration interval) {
    long nanos = interval.toNanos();
    loop.scheduleAtFixedRate(this::heartbeat, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Any thread: queue an event for this loop's subscribers; takes ownership of the chunk reference. */
  void offer(Pending p) {
    queue.offer(p);
    scheduleFlush();
  }

  /** Any thread: make sure the loop runs a drain-and-flush soon. */
  void scheduleFlush() {
    if (!scheduled.compareAndSet(false, true)) return;
    try {
      loop.execute(this);
    } catch (RejectedExecutionException e) {
      discardQueued(); // the loop shut down: nothing will drain the queue, so release what it holds
    }
  }

  private void discardQueued() {
    Pending p;
    while ((p = queue.poll()) != null) {
      int bytes = p.chunk().readableBytes();
      p.chunk().release();
      broker.drained(bytes);
    }
  }

  @Override
  public void run() {
    scheduled.set(false);
    draining = true;
    try {
      Pending p;
      while ((p = queue.poll()) != null) {
        int bytes = p.chunk().readableBytes();
        try {
          deliver(p);
        } finally {
          p.chunk().release();
          broker.drained(bytes);
        }
      }
    } finally {
      draining = false;
      flushDirty();
    }
  }

  private void deliver(Pending p) {
    if (p.isGap()) {
      endSubscribers(p.gap());
      return;
    }
    List<String> topics = p.event().topics();
    for (int t = 0, n = topics.size(); t < n; t++) {
      SseStream[] subscribers = byTopic.get(topics.get(t));
      if (subscribers == null) continue;
      for (SseStream c : subscribers) c.deliverLive(p);
    }
    for (SseStream c : byPattern) {
      if (c.subscription.matches(topics)) c.deliverLive(p);
    }
  }

  void markDirty(SseStream c) {
    if (!c.dirty) {
      c.dirty = true;
      dirty.add(c);
      // Writes outside a drain (replays, per-request streams) get a flush at the end of this turn.
      if (!draining && dirty.size() == 1) scheduleFlush();
    }
  }

  void countDelivery() {
    deliveredCount++;
  }

  long delivered() {
    return delivered;
  }

  private void flushDirty() {
    delivered = deliveredCount;
    for (int i = 0; i < dirty.size(); i++) {
      SseStream c = dirty.get(i);
      c.dirty = false;
      c.flush();
    }
    dirty.clear();
  }

  private void heartbeat() {
    // Backwards: a stream that closes meanwhile is replaced by the last one, already seen.
    for (int i = allCount - 1; i >= 0; i--) {
      if (i >= allCount) continue;
      SseStream c = all[i];
      // A connection that wrote since the last beat is warm already.
      if (!c.wroteSinceHeartbeat) c.writeHeartbeat();
      c.wroteSinceHeartbeat = false;
    }
    flushDirty();
  }

  void register(SseStream c) {
    if (allCount == all.length) all = Arrays.copyOf(all, all.length * 2);
    c.slot = allCount;
    all[allCount++] = c;
    if (c.subscription == null) return;
    for (String topic : c.subscription.topics()) {
      SseStream[] old = byTopic.getOrDefault(topic, NONE);
      SseStream[] grown = Arrays.copyOf(old, old.length + 1);
      grown[old.length] = c;
      byTopic.put(topic, grown);
    }
    if (!c.subscription.patterns().isEmpty()) {
      byPattern = Arrays.copyOf(byPattern, byPattern.length + 1);
      byPattern[byPattern.length - 1] = c;
    }
  }

  /** Removes {@code c}; false if it was not registered. */
  boolean unregister(SseStream c) {
    int slot = c.slot;
    if (slot < 0 || slot >= allCount || all[slot] != c) return false;
    SseStream last = all[--allCount];
    all[slot] = last;
    last.slot = slot;
    all[allCount] = null;
    c.slot = -1;
    if (c.subscription == null) return true;
    for (String topic : c.subscription.topics()) {
      SseStream[] shrunk = without(byTopic.get(topic), c);
      if (shrunk.length == 0) {
        byTopic.remove(topic);
      } else {
        byTopic.put(topic, shrunk);
      }
    }
    if (!c.subscription.patterns().isEmpty()) byPattern = without(byPattern, c);
    return true;
  }

  private static SseStream[] without(SseStream[] from, SseStream c) {
    if (from == null) return NONE;
    for (int i = 0; i < from.length; i++) {
      if (from[i] == c) {
        SseStream[] shrunk = new SseStream[from.length - 1];
        System.arraycopy(from, 0, shrunk, 0, i);
        System.arraycopy(from, i + 1, shrunk, i, from.length - i - 1);
        return shrunk;
      }
    }
    return from;
  }

  void slowConsumerClosed(SseStream c, long pendingBytes) {
    broker.slowConsumerClosed(c, pendingBytes);
  }

  /** Ends every topic subscriber's stream of this loop (not per-request streams: they follow no log). */
  private void endSubscribers(Pending.Gap gap) {
    for (SseStream c : registered()) {
      if (c.subscription != null) c.endForGap(gap);
    }
  }

  /** Ends every stream of this loop, telling clients when to come back. */
  void endAll(Event farewell) {
    for (SseStream c : registered()) c.end(farewell);
  }

  /** The registered streams now, a copy: ending them changes the registry. */
  private SseStream[] registered() {
    return Arrays.copyOf(all, allCount);
  }
}
