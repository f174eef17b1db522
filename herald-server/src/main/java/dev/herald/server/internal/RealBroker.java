package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import dev.herald.server.Broker;
import dev.herald.server.BrokerListener;
import dev.herald.server.BrokerStats;
import dev.herald.server.EventLog;
import dev.herald.server.OverloadedException;
import dev.herald.server.StoredEvent;
import dev.herald.server.StreamHandle;
import dev.herald.server.StreamRequest;
import dev.herald.server.StreamTransport;
import dev.herald.server.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker: validates publishes, hands them to the log and fans the log's tail out to every
 * event loop it owns. One event becomes one chunk buffer, shared by all loops and subscribers.
 */
public final class RealBroker implements Broker {
  private final EventLog log;
  private final EventLoopGroup loops;
  private final Map<EventExecutor, LoopFanout> fanouts = new IdentityHashMap<>();
  private final LoopFanout[] fanoutArray;
  private final AtomicInteger nextFanout = new AtomicInteger();
  private final Event retryEvent;
  private final byte[] retryFrame;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<BrokerListener> listeners = new CopyOnWriteArrayList<>();
  private final LongAdder published = new LongAdder();
  private final LongAdder slowClosed = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final AtomicLong queuedBytes = new AtomicLong();
  private final long maxQueuedBytes;
  private final Replays replays;

  // The newest events fanned out, for a gap's marker. Written and read on the tail only, one call at
  // a time, but a log may call its tail from different threads (the in-memory log calls it on each
  // publisher's).
  private volatile StoredEvent lastFannedOut;
  private volatile StoredEvent lastPublicFannedOut;

  /** Use {@link Broker#builder}; the arguments are checked there. */
  public RealBroker(EventLog log, int ioThreads, Duration heartbeatInterval, Duration retryHint, long maxQueuedBytes,
      long replayPageBytes, long maxReplayBytes) {
    this.log = log;
    this.maxQueuedBytes = maxQueuedBytes;
    this.replays = new Replays(log, replayPageBytes, maxReplayBytes);
    this.retryEvent = Event.retry(retryHint);
    this.retryFrame = EventEncoder.encode(retryEvent);
    IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.loops = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("herald-io", true), io);
    List<LoopFanout> list = new ArrayList<>();
    for (EventExecutor executor : loops) {
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

  /** The event loops every stream of this broker runs on; a server serves its connections on them too. */
  public EventLoopGroup loops() {
    return loops;
  }

  /**
   * Where an update enters: the one place it is checked. Logs behind it trust their arguments: at
   * least one topic, none empty, data, and an own id, if any, that is not empty.
   */
  @Override
  public CompletionStage<String> publish(Collection<String> topics, Event event, boolean privateUpdate) {
    Objects.requireNonNull(event, "event");
    if (topics.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("missing topic: an update needs at least one topic"));
    }
    for (String topic : topics) {
      if (topic == null || topic.isEmpty()) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("empty topic"));
      }
    }
    if (event.data() == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("a published event needs data"));
    }
    if (event.id() != null && event.id().isEmpty()) {
      // An empty id resets a client's last event id: an event the log keeps needs one to resume from.
      return CompletableFuture.failedFuture(new IllegalArgumentException("id must not be empty"));
    }
    if (event.id() != null && event.id().startsWith(EventLog.ASSIGNED_ID_MARK)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "id must not start with '" + EventLog.ASSIGNED_ID_MARK + "': such ids are the ones the log assigns"));
    }
    if (closed.get()) return CompletableFuture.failedFuture(new IllegalStateException("the broker is closed"));
    long queued = queuedBytes.get();
    if (queued > maxQueuedBytes) {
      // Bounded memory: refuse rather than queue without end when publishers outrun the fan-out.
      return CompletableFuture.failedFuture(new OverloadedException(queued, maxQueuedBytes));
    }
    try {
      return log.append(List.copyOf(topics), event, privateUpdate).thenApply(StoredEvent::id);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The log's tail: called in log order, one event at a time. */
  private void fanOut(StoredEvent event) {
    // A log may still hand over an event it appended just before the broker closed (or one
    // from another node): nobody is left to receive it, and its frame would never be released.
    if (closed.get()) return;
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
   * marker that ends every topic subscriber (see {@link SseStream#endForGap}).
   */
  private void tailGap() {
    LoopFanout.LOG.warn("the event log skipped events this node had not delivered: ending every topic subscriber's"
        + " stream so that each resumes from its Last-Event-ID and sees the history cut");
    // It holds no buffer reference, so every loop can share it.
    Pending marker = Pending.gap(lastFannedOut, lastPublicFannedOut);
    for (LoopFanout f : fanoutArray) f.offer(marker);
  }

  @Override
  public StreamHandle openStream(StreamRequest request, Subscription subscription, StreamTransport transport) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(transport, "transport");
    LoopFanout fanout = fanoutArray[Math.floorMod(nextFanout.getAndIncrement(), fanoutArray.length)];
    SseStream stream = new SseStream(request, subscription, new ForeignTransport(transport), fanout);
    // Always a task, never inline: no transport call before the caller has its handle.
    fanout.loop.execute(() -> open(stream, retryFrame));
    return new RealStreamHandle(stream, this);
  }

  /**
   * Opens {@code stream} on its loop (the caller's thread): register first, holding live events,
   * then read the history and only then answer, so the head can say whether the history was cut;
   * without a {@code Last-Event-ID} (or for a per-request stream), answer and go live at once.
   */
  void open(SseStream stream, byte[] retryFrame) {
    StreamRequest request = stream.request;
    if (stream.subscription == null || request.lastEventId().isEmpty()) {
      stream.startLive(retryFrame);
      connected(stream);
      return;
    }
    stream.awaitHistory();
    connected(stream);
    stream.readHistory(replays, request.lastEventId().get(), retryFrame);
  }

  /** Bytes the replays hold now (pages read and not yet written), within {@code maxReplayBytes}. */
  public long replayBytes() {
    return replays.budget().heldBytes();
  }

  /** The most bytes the replays ever held at once: at most {@code maxReplayBytes}, unless one page alone was more. */
  public long replayBytesPeak() {
    return replays.budget().peakBytes();
  }

  /** Page reads that waited for replay budget since the start. */
  public long replayWaits() {
    return replays.budget().waits();
  }

  /** Streams waiting for replay budget now. */
  public int replaysWaiting() {
    return replays.budget().waiting();
  }

  @Override
  public BrokerStats stats() {
    long delivered = 0;
    for (LoopFanout f : fanoutArray) delivered += f.delivered();
    ReplayBudget budget = replays.budget();
    return new BrokerStats(connections.get(), published.sum(), delivered, slowClosed.sum(), budget.heldBytes(),
        budget.peakBytes(), budget.waiting());
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

  private void connected(SseStream s) {
    s.fanout.register(s);
    connections.incrementAndGet();
    Subscription subscription = s.subscription;
    if (subscription != null && subscription.endsAt() != null) {
      // On the stream's own loop, like every write to it; cancelled if it closes first.
      long nanos = Duration.between(Instant.now(), subscription.endsAt()).toNanos();
      ScheduledFuture<?> end = s.fanout.loop.schedule(() -> {
        LoopFanout.LOG.debug("ending {}: its subscription ended at {}", describe(s.request), subscription.endsAt());
        s.end(null);
      }, Math.max(0, nanos), TimeUnit.NANOSECONDS);
      s.onClose(() -> end.cancel(false));
    }
    if (subscription != null) {
      for (String topic : subscription.topics()) {
        counts.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
      }
    }
    for (BrokerListener l : listeners) l.onConnect(s.request);
  }

  /** The stream's transport closed (on its loop). Once per stream, whoever reports it. */
  void disconnected(SseStream s, String reason) {
    if (s.isClosed()) return;
    boolean registered = s.fanout.unregister(s);
    s.closed();
    if (!registered) return; // closed before it was opened
    connections.decrementAndGet();
    if (s.subscription != null) {
      for (String topic : s.subscription.topics()) {
        counts.computeIfPresent(topic, (t, n) -> n.decrementAndGet() == 0 ? null : n);
      }
    }
    for (BrokerListener l : listeners) l.onDisconnect(s.request, reason);
  }

  void slowConsumerClosed(SseStream s, long pendingBytes) {
    slowClosed.increment();
    LoopFanout.LOG.info("closing slow consumer {} ({} bytes pending)", s.request.remoteAddress(), pendingBytes);
    for (BrokerListener l : listeners) l.onSlowConsumerClosed(s.request, pendingBytes);
  }

  /** Ends every stream on every loop with {@code farewell}; the returned stage completes when all loops did. */
  public CompletableFuture<Void> endAll(Event farewell) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (LoopFanout f : fanoutArray) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      try {
        f.loop.execute(() -> {
          try {
            f.endAll(farewell);
          } finally {
            d.complete(null);
          }
        });
      } catch (RejectedExecutionException e) {
        d.complete(null); // that loop stopped: its streams are gone
      }
      done.add(d);
    }
    return CompletableFuture.allOf(done.toArray(new CompletableFuture[0]));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    try {
      endAll(retryEvent).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LoopFanout.LOG.warn("streams did not all end in time", e);
    }
    // The log before the event loops: its tail may still hand events to them until it stops.
    try {
      log.close();
    } catch (Exception e) {
      LoopFanout.LOG.warn("closing the event log failed", e);
    }
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  static String describe(StreamRequest r) {
    return r.remoteAddress() + " " + r.path();
  }
}
