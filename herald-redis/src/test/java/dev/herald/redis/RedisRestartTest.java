package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.HeraldServer;
import dev.herald.testing.EventStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redis killed (SIGKILL) and restarted from its AOF while a node keeps publishing. */
class RedisRestartTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedEventIsDeliveredExactlyOnceAcrossARedisRestart() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("restart");
    try (RedisProcess redis = RedisProcess.start(dir); Nodes nodes = new Nodes()) {
      HeraldServer a = nodes.start(redis.uri(), settings);
      HeraldServer b = nodes.start(redis.uri(), settings);
      try (EventStreamReader onB = EventStreamReader.open(Nodes.streamUrl(b.port(), "news"), null); EventStreamReader onA = EventStreamReader.open(Nodes.streamUrl(a.port(), "news"), null)) {
        Nodes.awaitSubscribers(b, "news", 1);
        Nodes.awaitSubscribers(a, "news", 1);

        List<String> acked = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        AtomicLong slowestFailureNanos = new AtomicLong();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
          for (int i = 0; !stop.get(); i++) {
            long start = System.nanoTime();
            try {
              acked.add(a.broker().publish("news", Event.of("e" + i)).toCompletableFuture().get(10, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
              failed.incrementAndGet();
              slowestFailureNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
              failures.add(String.valueOf(e.getCause()));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // pacing, not synchronisation
          }
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 50);
        redis.kill();
        await("publishes failing").atMost(Duration.ofSeconds(30)).until(() -> failed.get() >= 5);
        assertThat(Nodes.log(a).ready()).isFalse();
        int ackedBeforeRestart = acked.size();
        redis.start();
        await("publishes succeeding again").atMost(Duration.ofSeconds(30))
            .until(() -> acked.size() >= ackedBeforeRestart + 50);
        stop.set(true);
        publisher.get(15, TimeUnit.SECONDS);

        // Publishes while Redis was away failed fast (within the 2 s command timeout, with room for a
        // loaded machine: what matters is that none hung), with a clear message.
        assertThat(Duration.ofNanos(slowestFailureNanos.get())).isLessThan(Duration.ofSeconds(10));
        assertThat(failures).allMatch(f -> f.contains("IllegalStateException") && f.contains("Redis"), "fail with ISE");

        String last = acked.get(acked.size() - 1);
        for (EventStreamReader s : List.of(onA, onB)) {
          await().atMost(Duration.ofSeconds(30)).until(() -> s.ids().contains(last));
          List<String> ids = s.ids();
          assertThat(ids).doesNotHaveDuplicates();
          assertThat(ids).isSortedAccordingTo(Comparator.comparingLong(EntryIds::position));
          // Every acknowledged event, once; an event whose publish failed as Redis died may be there too.
          assertThat(ids).containsAll(acked);
          assertThat(ids.size()).isLessThanOrEqualTo(acked.size() + failed.get());
          assertThat(s.open()).as("the subscriber stayed connected").isTrue();
        }
      }
    }
  }

  @Test
  void aNodeStartedWhileRedisIsDownServesSubscribersAndNotReadyUntilRedisAnswers() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("late");
    try (RedisProcess redis = RedisProcess.notStarted(dir); Nodes nodes = new Nodes()) {
      HeraldServer node = nodes.startUnready(redis.uri(), settings);
      try (EventStreamReader subscriber = EventStreamReader.open(Nodes.streamUrl(node.port(), "news"), null)) {
        Nodes.awaitSubscribers(node, "news", 1);
        assertThat(Nodes.log(node).ready()).isFalse();
        assertThat(node.broker().publish("news", Event.of("early")).toCompletableFuture())
            .failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("Redis is unavailable");

        redis.start();
        await().atMost(Duration.ofSeconds(30)).until(Nodes.log(node)::ready);
        String id = node.broker().publish("news", Event.of("first")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.receivedData("first"));
        assertThat(subscriber.ids()).containsExactly(id);
        assertThat(subscriber.open()).as("the subscriber stayed connected").isTrue();
      }
    }
  }
}
