package dev.herald.server.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections (all, and per client address) and event streams against
 * {@link HttpLimits}. Thread-safe: connections on every event loop share one limiter.
 *
 * <p>The per-address counts cover connections that are not event streams: one address may not hold
 * many connections that send nothing useful (a slowloris), while many subscribers behind one proxy
 * or NAT are bounded by {@code maxStreams} only. A connection is <em>new</em> for its first {@link
 * HttpLimits#connectionGrace()}: an address may open up to {@code maxNewConnectionsPerAddress} at once, so a burst of
 * subscribers reconnecting through one proxy (each a new connection that becomes a stream within
 * milliseconds) is not refused; an {@code EventSource} refused with a 429 would never retry. A
 * connection still not a stream after the grace is <em>held</em>: above {@code
 * maxConnectionsPerAddress} held ones, a connection that has not completed a request by then is
 * answered 429 and closed. An HTTP/2 connection leaves the counts with its first stream.
 *
 * <p>A stream is refused above {@code maxStreams}, so {@code maxConnections - maxStreams}
 * connections stay for plain requests.
 */
final class ConnectionLimiter {
  /** What {@link #admit} decided for a new connection. */
  enum Verdict { ADMITTED, SERVER_FULL, ADDRESS_FULL }

  private static final AttributeKey<Slot> SLOT = AttributeKey.valueOf(ConnectionLimiter.class, "slot");

  private final HttpLimits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> newPerAddress = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, Integer> heldPerAddress = new ConcurrentHashMap<>();

  ConnectionLimiter(HttpLimits limits) {
    this.limits = limits;
  }

  HttpLimits limits() {
    return limits;
  }

  /** Counts a newly accepted connection, unless a limit refuses it; an admitted one is given back when it closes. */
  Verdict admit(Channel channel) {
    if (connections.incrementAndGet() > limits.maxConnections()) {
      connections.decrementAndGet();
      return Verdict.SERVER_FULL;
    }
    InetAddress address = address(channel);
    if (address != null && !take(newPerAddress, address, limits.maxNewConnectionsPerAddress())) {
      connections.decrementAndGet();
      return Verdict.ADDRESS_FULL;
    }
    Slot slot = new Slot(address);
    channel.attr(SLOT).set(slot);
    channel.closeFuture().addListener(f -> slot.release());
    if (address != null) {
      channel.eventLoop().schedule(() -> graceOver(channel, slot), limits.connectionGrace().toNanos(), TimeUnit.NANOSECONDS);
    }
    return Verdict.ADMITTED;
  }

  /**
   * A connection has received a whole request: it is a client that speaks, not a slowloris, and
   * is not refused when its grace ends (see the class comment).
   */
  void requestReceived(Channel channel) {
    Slot slot = connection(channel).attr(SLOT).get();
    if (slot != null) slot.served = true;
  }

  /** The connection's grace is over (on its loop): it becomes held, or is refused. */
  private void graceOver(Channel channel, Slot slot) {
    if (!slot.young) return; // became a stream, or closed
    slot.young = false;
    give(newPerAddress, slot.address);
    if (take(heldPerAddress, slot.address, limits.maxConnectionsPerAddress())) {
      slot.held = true;
    } else if (slot.served) {
      heldPerAddress.merge(slot.address, 1, Integer::sum); // a client that speaks keeps its connection
      slot.held = true;
    } else {
      slot.address = null;
      Refusal.addressFull(limits.maxConnectionsPerAddress()).takeOver(channel);
    }
  }

  /**
   * Counts an event stream on {@code channel} (a connection, or an HTTP/2 stream), unless
   * {@code maxStreams} are open; given back when that channel closes.
   */
  boolean startStream(Channel channel) {
    if (streams.incrementAndGet() > limits.maxStreams()) {
      streams.decrementAndGet();
      return false;
    }
    channel.closeFuture().addListener(f -> streams.decrementAndGet());
    // A connection that became a stream (or carries one, HTTP/2) no longer counts against its address.
    Slot slot = connection(channel).attr(SLOT).get();
    if (slot != null) slot.leaveAddress();
    return true;
  }

  int connections() {
    return connections.get();
  }

  int streams() {
    return streams.get();
  }

  private static boolean take(ConcurrentHashMap<InetAddress, Integer> counts, InetAddress address, int max) {
    boolean[] taken = {false};
    counts.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) return n;
      taken[0] = true;
      return count + 1;
    });
    return taken[0];
  }

  private static void give(ConcurrentHashMap<InetAddress, Integer> counts, InetAddress address) {
    counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private static InetAddress address(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  /** The TCP connection a channel is on: itself, or an HTTP/2 stream's parent. */
  private static Channel connection(Channel channel) {
    return channel instanceof Http2StreamChannel && channel.parent() != null ? channel.parent() : channel;
  }

  /** One admitted connection's share of the counts; touched on its event loop only. */
  private final class Slot {
    private InetAddress address; // null once given back
    private boolean young; // counted in newPerAddress
    private boolean held; // counted in heldPerAddress
    private boolean served; // received a whole request

    Slot(InetAddress address) {
      this.address = address;
      this.young = address != null;
    }

    void leaveAddress() {
      if (address != null) {
        if (young) give(newPerAddress, address);
        if (held) give(heldPerAddress, address);
      }
      young = false;
      held = false;
      address = null;
    }

    void release() {
      leaveAddress();
      connections.decrementAndGet();
    }
  }
}
