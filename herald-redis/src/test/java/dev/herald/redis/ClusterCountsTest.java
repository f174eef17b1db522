package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Cluster-wide figures: each node reports its counts into Redis, every node reads their sum. */
class ClusterCountsTest {
  private static final AtomicInteger STREAMS = new AtomicInteger();
  private static final Duration WITHIN = Duration.ofSeconds(10);
  @RegisterExtension static final SharedRedis redis = new SharedRedis();
  private final String key = "counts:" + STREAMS.incrementAndGet();

  private RedisEventLog node() {
    return redis.connect(RedisEventLog.Settings.defaults().withStreamKey(key));
  }

  @Test
  void everyNodeSeesTheSumOfEveryNodesCountsAndAStoppedNodeLeavesItAtOnce() {
    RedisEventLog a = node();
    RedisEventLog b = node();
    RedisEventLog c = node();
    AtomicLong aConnections = new AtomicLong(10);
    a.reportCounts(aConnections::get, () -> 2);
    b.reportCounts(() -> 5, () -> 1);
    c.reportCounts(() -> 0, () -> 0);

    for (RedisEventLog node : List.of(a, b, c)) {
      await().atMost(WITHIN).until(node::clusterCounts, Optional.of(new ClusterCounts(3, 15, 3))::equals);
    }

    aConnections.set(40);
    await().atMost(WITHIN).until(b::clusterCounts, Optional.of(new ClusterCounts(3, 45, 3))::equals);

    b.close();
    await().atMost(WITHIN).until(c::clusterCounts, Optional.of(new ClusterCounts(2, 40, 2))::equals);
  }

  @Test
  void aNodeThatStoppedReportingWithoutGoodbyeIsNotCountedAndIsForgotten() {
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> raw = client.connect()) {
      // A node killed a minute ago: its deadline (on Redis's clock) is long past.
      long redisNowMillis = Long.parseLong(raw.sync().time().get(0)) * 1000;
      raw.sync().hset(key + ":nodes", "killed-node", (redisNowMillis - 60_000) + " 1000 1000");

      RedisEventLog a = node();
      a.reportCounts(() -> 3, () -> 4);

      await().atMost(WITHIN).until(a::clusterCounts, Optional.of(new ClusterCounts(1, 3, 4))::equals);
      assertThat(raw.sync().hexists(key + ":nodes", "killed-node")).isFalse();
    }
  }

  @Test
  void noFiguresBeforeTheFirstReportNorWhileRedisIsAway(@TempDir Path other) throws Exception {
    RedisProcess own = RedisProcess.startFast(other);
    try {
      RedisEventLog log = RedisEventLog.connect(own.uri(), RedisEventLog.Settings.defaults().withStreamKey(key));
      redis.closedAfterTest(log);
      await().atMost(WITHIN).until(log::ready);
      assertThat(log.clusterCounts()).isEmpty();

      log.reportCounts(() -> 1, () -> 1);
      await().atMost(WITHIN).until(log::clusterCounts, Optional.of(new ClusterCounts(1, 1, 1))::equals);

      own.kill();
      await().atMost(RedisEventLog.PRESENCE_TTL.plus(WITHIN)).until(() -> log.clusterCounts().isEmpty());
    } finally {
      own.close();
    }
  }
}
