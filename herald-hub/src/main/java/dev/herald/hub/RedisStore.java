package dev.herald.hub;

import dev.herald.hub.console.ClusterFigures;
import dev.herald.redis.RedisEventLog;
import dev.herald.server.EventLog;
import java.util.Optional;
import java.util.function.LongSupplier;

/** The cluster store, kept in a class of its own so a hub without {@code --redis} never loads Lettuce. */
final class RedisStore {
  private RedisStore() {}

  static EventLog connect(HubSettings settings) {
    return RedisEventLog.connect(settings.redis(), RedisEventLog.Settings.defaults()
        .withMaxEvents(settings.historyMaxEvents())
        .withMaxAge(settings.historyMaxAge()));
  }

  static boolean ready(EventLog log) {
    return ((RedisEventLog) log).ready();
  }

  /** The cluster as seen through the Redis log: each node's counts in Redis, summed. */
  static Cluster cluster(EventLog log) {
    RedisEventLog redis = (RedisEventLog) log;
    return new Cluster() {
      @Override
      public void report(LongSupplier connections, LongSupplier subscriptions) {
        redis.reportCounts(connections, subscriptions);
      }

      @Override
      public Optional<ClusterFigures> figures() {
        return redis.clusterCounts().map(c -> new ClusterFigures(c.nodes(), c.connections(), c.subscriptions()));
      }
    };
  }
}
