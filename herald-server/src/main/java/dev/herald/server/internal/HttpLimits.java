package dev.herald.server.internal;

import java.time.Duration;

/**
 * What one client may hold of the server: how long a request may take to arrive, and how many
 * connections and event streams may be open at once. Validated by the public builder.
 *
 * @param requestDeadline longest time from the first byte of a request to its last
 * @param maxConnections connections open at once, all clients together
 * @param maxStreams event streams open at once; below {@code maxConnections}, so that plain requests
 *     (health checks, publishes) keep the difference when subscribers are at the cap
 * @param maxConnectionsPerAddress connections from one address that are still not event streams
 *     after their {@code connectionGrace}
 * @param maxNewConnectionsPerAddress connections from one address in their first seconds, not yet
 *     streams: room for a burst of subscribers reconnecting through one proxy
 * @param connectionGrace how long a connection is new: time to send a request and become a stream
 */
public record HttpLimits(Duration requestDeadline, int maxConnections, int maxStreams, int maxConnectionsPerAddress,
    int maxNewConnectionsPerAddress, Duration connectionGrace) {
  public HttpLimits {
    if (connectionGrace.isNegative() || connectionGrace.isZero()) {
      throw new IllegalArgumentException("connectionGrace must be positive: " + connectionGrace);
    }
    if (requestDeadline.isNegative() || requestDeadline.isZero()) {
      throw new IllegalArgumentException("requestDeadline must be positive: " + requestDeadline);
    }
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
    if (maxStreams < 1 || maxStreams > maxConnections) {
      throw new IllegalArgumentException("maxStreams must be between 1 and maxConnections (" + maxConnections + "): " + maxStreams);
    }
    if (maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("maxConnectionsPerAddress must be positive: " + maxConnectionsPerAddress);
    }
    if (maxNewConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("maxNewConnectionsPerAddress must be positive: " + maxNewConnectionsPerAddress);
    }
  }
}
