package dev.herald.server.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections (all, and per client address) and event streams against
 * {@link HttpLimits}. Thread-safe: connections on every event loop share one limiter.
 *
 * <p>The per-address count covers connections that are not event streams: one address may not hold
 * many connections that send nothing useful (a slowloris), while many subscribers behind one proxy
 * or NAT are bounded by {@code maxStreams} only. A stream is refused above {@code maxStreams}, so
 * {@code maxConnections - maxStreams} connections stay for plain requests.
 */
final class ConnectionLimiter {
  /** What {@link #admit} decided for a new connection. */
  enum Verdict { ADMITTED, SERVER_FULL, ADDRESS_FULL }

  private static final AttributeKey<Slot> SLOT = AttributeKey.valueOf(ConnectionLimiter.class, "slot");

  private final HttpLimits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

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
    if (address != null && !takeAddress(address)) {
      connections.decrementAndGet();
      return Verdict.ADDRESS_FULL;
    }
    Slot slot = new Slot(address);
    channel.attr(SLOT).set(slot);
    channel.closeFuture().addListener(f -> slot.release());
    return Verdict.ADMITTED;
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
    // An HTTP/1 connection that became a stream no longer counts against its address.
    Slot slot = channel.attr(SLOT).get();
    if (slot != null) slot.leaveAddress();
    return true;
  }

  int connections() {
    return connections.get();
  }

  int streams() {
    return streams.get();
  }

  private boolean takeAddress(InetAddress address) {
    boolean[] taken = {false};
    perAddress.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= limits.maxConnectionsPerAddress()) return n;
      taken[0] = true;
      return count + 1;
    });
    return taken[0];
  }

  private void giveAddress(InetAddress address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private static InetAddress address(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  /** One admitted connection's share of the counts; touched on its event loop only. */
  private final class Slot {
    private InetAddress address; // null once given back

    Slot(InetAddress address) {
      this.address = address;
    }

    void leaveAddress() {
      if (address != null) giveAddress(address);
      address = null;
    }

    void release() {
      leaveAddress();
      connections.decrementAndGet();
    }
  }
}
