package dev.herald.hub;

import dev.herald.redis.ClusterCounts;
import dev.herald.redis.RedisEventLog;
import dev.herald.server.EventLog;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/** The cluster store, kept in a class of its own so a hub without {@code --redis} never loads Lettuce. */
final class RedisStore {
  private RedisStore() {}

  /** How long a publish waits for {@code --redis-replicas}. */
  static final Duration REPLICA_TIMEOUT = Duration.ofMillis(500);

  static EventLog connect(HubSettings settings) {
    RedisEventLog.Settings s = RedisEventLog.Settings.defaults()
        .withMaxEvents(settings.historyMaxEvents())
        .withMaxAge(settings.historyMaxAge());
    if (settings.redisReplicas() > 0) s = s.withReplicas(settings.redisReplicas(), REPLICA_TIMEOUT);
    return RedisEventLog.connect(settings.redis(), s);
  }

  /** What is wrong with {@code uri} as a Redis URI, or null if Lettuce takes it. */
  static String checkUri(String uri) {
    try {
      RedisURI parsed = RedisURI.create(uri);
      if (parsed.getSentinels().isEmpty() && (parsed.getHost() == null || parsed.getHost().isEmpty())) {
        return "has no host: " + uri;
      }
      return null;
    } catch (RuntimeException e) {
      return "is not a Redis URI (redis://, rediss://, redis-sentinel://): " + e.getMessage();
    }
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
      public Optional<ClusterCounts> counts() {
        return redis.clusterCounts();
      }
    };
  }
}
