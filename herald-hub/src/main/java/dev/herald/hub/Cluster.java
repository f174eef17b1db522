package dev.herald.hub;

import dev.herald.redis.ClusterCounts;
import java.util.Optional;
import java.util.function.LongSupplier;

/** What a hub that is a node of a cluster ({@code --redis}) reports, and what it sees of the whole. */
interface Cluster {
  /** Starts reporting this node's counts, read from the suppliers on the store's own thread. */
  void report(LongSupplier connections, LongSupplier subscriptions);

  /** The whole cluster's counts; empty until known and while the store is unreachable. */
  Optional<ClusterCounts> counts();
}
