package dev.herald.hub;

import dev.herald.server.HeraldServer;
import java.time.Duration;

/**
 * What one client, and all of them together, may hold of {@code herald serve}'s connections
 * ({@code --max-connections}, {@code --max-streams}, {@code --max-connections-per-address},
 * {@code --max-new-connections-per-address}, {@code --connection-grace}, {@code --request-timeout}). Immutable; validated by the command line.
 *
 * @param maxConnections connections open at once; 0: the server's default (10,000, or the
 *     file-descriptor limit less 256 where that is lower)
 * @param maxStreams event streams open at once; 0: {@code maxConnections} less 10%, kept for health
 *     checks, metrics and publishes
 * @param maxConnectionsPerAddress connections from one address that are still not event streams
 *     {@code connectionGrace} after they opened
 * @param maxNewConnectionsPerAddress connections from one address in their first {@code connectionGrace}
 * @param connectionGrace how long a connection is new
 * @param requestTimeout how long a request may take to arrive whole (else 408), and how long a
 *     connection may stay silent with no request under way (then it is closed)
 */
record ConnectionLimits(
    int maxConnections, int maxStreams, int maxConnectionsPerAddress, int maxNewConnectionsPerAddress,
    Duration connectionGrace, Duration requestTimeout) {
  /** The server's own defaults. */
  static final ConnectionLimits DEFAULT = new ConnectionLimits(0, 0,
      HeraldServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, HeraldServer.DEFAULT_MAX_NEW_CONNECTIONS_PER_ADDRESS,
      HeraldServer.DEFAULT_CONNECTION_GRACE, HeraldServer.DEFAULT_REQUEST_DEADLINE);

  /** {@code server} with these limits; a 0 leaves the server's default. */
  HeraldServer.Builder applyTo(HeraldServer.Builder server) {
    if (maxConnections > 0) server.maxConnections(maxConnections);
    if (maxStreams > 0) server.maxStreams(maxStreams);
    // One figure for both clocks: an operator thinks of "a request may take this long", and a
    // connection that sends nothing at all is the slowest request there is.
    return server.maxConnectionsPerAddress(maxConnectionsPerAddress)
        .maxNewConnectionsPerAddress(maxNewConnectionsPerAddress)
        .connectionGrace(connectionGrace)
        .requestDeadline(requestTimeout)
        .requestTimeout(requestTimeout);
  }
}
