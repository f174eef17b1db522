package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code withReplicas}: a publish is acknowledged only once a replica received it. */
class ReplicaAcknowledgementTest {
  @TempDir Path dir;

  private static CompletableFuture<StoredEvent> publish(RedisEventLog log, String data) {
    return log.append(List.of("t"), Event.of(data), false).toCompletableFuture();
  }

  private static boolean publishes(RedisEventLog log) {
    try {
      publish(log, "probe").get(30, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void aPublishFailsWhenNoReplicaReceivedItAndSucceedsWhenOneDid() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("replicated")
        .withReplicas(1, Duration.ofMillis(300));
    try (RedisProcess primary = RedisProcess.startFast(Files.createDirectory(dir.resolve("primary")));
        RedisEventLog log = RedisEventLog.connect(primary.uri(), settings)) {
      await().atMost(Duration.ofSeconds(30)).until(log::ready);
      // No replica: Redis accepts the XADD, but the publish is not acknowledged.
      assertThat(publish(log, "alone")).failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
          .withMessageContaining("0 of 1");

      try (RedisProcess replica = RedisProcess.startReplicaOf(Files.createDirectory(dir.resolve("replica")), primary)) {
        await("replica in sync").atMost(Duration.ofSeconds(30)).until(() -> publishes(log));
        StoredEvent acked = publish(log, "replicated").get(30, TimeUnit.SECONDS);
        assertThat(acked.event().data()).isEqualTo("replicated");
      }
    }
  }
}
