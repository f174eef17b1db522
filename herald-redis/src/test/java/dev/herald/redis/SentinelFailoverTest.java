package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code redis-sentinel://} URIs: logs find the primary through Sentinel, and after a failover the
 * new one, by themselves. Real processes on loopback: a primary, one replica, one or three
 * sentinels.
 */
class SentinelFailoverTest {
  private static final String MASTER = "m";

  @TempDir Path dir;

  private Path dir(String name) throws Exception {
    return Files.createDirectory(dir.resolve(name));
  }

  /**
   * The primary is killed with SIGKILL while two nodes keep publishing with {@code WAIT 1}: every
   * acknowledged event is on the replica, which Sentinel promotes; the nodes reconnect through
   * Sentinel to it, and once a replacement replica is in sync publishes are acknowledged again.
   */
  @ParameterizedTest(name = "{0} sentinel(s)")
  @ValueSource(ints = {1, 3})
  void afterThePrimaryIsKilledEveryAcknowledgedEventReachesBothNodesOnceAndInOrder(int sentinelCount)
      throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("failover")
        .withReplicas(1, Duration.ofSeconds(1)); // WAIT: a replica on a loaded machine may take a few hundred ms
    List<SentinelProcess> sentinels = new ArrayList<>();
    try (RedisProcess primary = RedisProcess.startFast(dir("primary"));
        RedisProcess replica = RedisProcess.startReplicaOf(dir("replica"), primary)) {
      try {
        await("replica in sync").atMost(Duration.ofSeconds(30)).until(replica::replicaInSync);
        for (int i = 0; i < sentinelCount; i++) {
          sentinels.add(SentinelProcess.start(dir("sentinel" + i), MASTER, primary, sentinelCount / 2 + 1));
        }
        awaitSentinelsSee(sentinels);
        String uri = SentinelProcess.uri(sentinels);

        try (RedisEventLog a = RedisEventLog.connect(uri, settings);
            RedisEventLog b = RedisEventLog.connect(uri, settings)) {
          TailRecorder onA = TailRecorder.on(a);
          TailRecorder onB = TailRecorder.on(b);
          await("nodes ready through Sentinel").atMost(Duration.ofSeconds(30)).until(() -> a.ready() && b.ready());

          // Through Sentinel, as with one Redis: what one node publishes reaches the other, in order.
          List<String> first = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            first.add(publishNow(a, "a-first-" + i).id());
            first.add(publishNow(b, "b-first-" + i).id());
          }
          await().atMost(Duration.ofSeconds(30)).until(() -> onA.ids().size() == 20 && onB.ids().size() == 20);
          assertThat(onA.ids()).isEqualTo(first);
          assertThat(onB.ids()).isEqualTo(first);

          Publisher fromA = new Publisher(a, "a");
          Publisher fromB = new Publisher(b, "b");
          try (fromA; fromB) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fromA.acked() >= 100 && fromB.acked() >= 100);
            primary.kill();
            await("node A sees the primary gone").atMost(Duration.ofSeconds(30)).until(() -> !a.ready());
            await("node B sees the primary gone").atMost(Duration.ofSeconds(30)).until(() -> !b.ready());
            await("publishes failing").atMost(Duration.ofSeconds(30))
                .until(() -> fromA.failed() >= 5 && fromB.failed() >= 5);

            // Sentinel notices (down after 1 s), agrees, elects a leader and promotes the replica.
            await("Sentinel promoted the replica").atMost(Duration.ofSeconds(30)).until(() ->
                sentinels.stream().allMatch(s -> primaryPortOf(s) == replica.port()));
            await("the replica is primary").atMost(Duration.ofSeconds(30)).until(() -> "master".equals(replica.role()));
            // WAIT 1 needs a replica of the new primary: the replacement an operator would start.
            try (RedisProcess replacement = RedisProcess.startReplicaOf(dir("replacement"), replica)) {
              await("replacement in sync").atMost(Duration.ofSeconds(30)).until(replacement::replicaInSync);
              long ackedA = fromA.acked();
              long ackedB = fromB.acked();
              await("nodes publishing through the new primary").atMost(Duration.ofSeconds(30))
                  .until(() -> fromA.acked() >= ackedA + 100 && fromB.acked() >= ackedB + 100);
              assertThat(a.ready()).isTrue();
              assertThat(b.ready()).isTrue();
            }
          }

          assertEveryAcknowledgedEventOnceAndInOrder(first, List.of(fromA, fromB), List.of(onA, onB), a);
          assertFailuresFastNamingRedis(List.of(fromA, fromB), sentinels);
        }
      } finally {
        for (SentinelProcess s : sentinels) s.close();
      }
    }
  }

  /**
   * A planned switchover ({@code SENTINEL FAILOVER}): the old primary stays up and keeps taking
   * writes until Sentinel turns it into a replica (about 10 s later: Sentinel waits 8 s before it
   * reconfigures an instance that still says it is a primary), then drops what the new primary does
   * not have. With {@code WAIT 1} no acknowledged event is among what it drops.
   */
  @Test
  void aPlannedSwitchoverLosesNoAcknowledgedEventWhenPublishesWaitForTheReplica() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("switchover")
        .withReplicas(1, Duration.ofSeconds(1)); // WAIT: a replica on a loaded machine may take a few hundred ms
    try (RedisProcess primary = RedisProcess.startFast(dir("primary"));
        RedisProcess replica = RedisProcess.startReplicaOf(dir("replica"), primary)) {
      await("replica in sync").atMost(Duration.ofSeconds(30)).until(replica::replicaInSync);
      try (SentinelProcess sentinel = SentinelProcess.start(dir("sentinel"), MASTER, primary, 1)) {
        awaitSentinelsSee(List.of(sentinel));
        String uri = SentinelProcess.uri(List.of(sentinel));
        try (RedisEventLog a = RedisEventLog.connect(uri, settings);
            RedisEventLog b = RedisEventLog.connect(uri, settings)) {
          TailRecorder onA = TailRecorder.on(a);
          TailRecorder onB = TailRecorder.on(b);
          await("nodes ready through Sentinel").atMost(Duration.ofSeconds(30)).until(() -> a.ready() && b.ready());
          Publisher fromA = new Publisher(a, "a");
          Publisher fromB = new Publisher(b, "b");
          try (fromA; fromB) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fromA.acked() >= 100 && fromB.acked() >= 100);
            sentinel.failover();
            await("Sentinel names the replica").atMost(Duration.ofSeconds(30))
                .until(() -> primaryPortOf(sentinel) == replica.port());
            await("Sentinel turned the old primary into a replica").atMost(Duration.ofSeconds(30))
                .until(() -> "slave".equals(primary.role()));
            long ackedA = fromA.acked();
            long ackedB = fromB.acked();
            await("nodes publishing through the new primary").atMost(Duration.ofSeconds(30))
                .until(() -> fromA.acked() >= ackedA + 100 && fromB.acked() >= ackedB + 100);
          }
          assertEveryAcknowledgedEventOnceAndInOrder(List.of(), List.of(fromA, fromB), List.of(onA, onB), a);
          assertFailuresFastNamingRedis(List.of(fromA, fromB), List.of(sentinel));
        }
      }
    }
  }

  /**
   * After a planned switchover a node should write to the primary Sentinel names within about a
   * second, not keep writing to the old one until Sentinel demotes it and closes its clients (about
   * 10 s): without {@code WAIT}, every event acknowledged in between is lost from the history when
   * the old primary resyncs from the new one (measured: 5,439 of 5,914 acknowledged events, 11 s of
   * publishing, missing from the new primary's stream).
   */
  @Test
  void afterAPlannedSwitchoverPublishesReachTheNewPrimaryWithinSecondsOfSentinelNamingIt() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("follow");
    try (RedisProcess primary = RedisProcess.startFast(dir("primary"));
        RedisProcess replica = RedisProcess.startReplicaOf(dir("replica"), primary)) {
      await("replica in sync").atMost(Duration.ofSeconds(30)).until(replica::replicaInSync);
      try (SentinelProcess sentinel = SentinelProcess.start(dir("sentinel"), MASTER, primary, 1);
          RedisEventLog log = RedisEventLog.connect(SentinelProcess.uri(List.of(sentinel)), settings)) {
        awaitSentinelsSee(List.of(sentinel));
        await().atMost(Duration.ofSeconds(30)).until(log::ready);
        sentinel.failover();
        await("Sentinel names the replica").atMost(Duration.ofSeconds(30))
            .until(() -> primaryPortOf(sentinel) == replica.port());
        // Well before Sentinel demotes the old primary (~10 s): the node followed Sentinel's answer.
        await("a publish lands on the new primary").atMost(Duration.ofSeconds(30)).until(() -> {
          StoredEvent probe;
          try {
            probe = publish(log, "probe").toCompletableFuture().get(2, TimeUnit.SECONDS);
          } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false; // failing while the node moves is fine
          }
          return !((List<?>) replica.call("XRANGE", "follow", EntryIds.entry(probe.id()), EntryIds.entry(probe.id()))).isEmpty();
        });
        assertThat(primary.role()).as("the old primary, not yet demoted").isEqualTo("master");
      }
    }
  }

  /**
   * Every acknowledged event (of {@code first} and the publishers) went to each node's tail consumer
   * exactly once, in stream order, and is in the stream a replay through {@code log} reads; an event
   * whose publish failed ("maybe") may be there too.
   */
  private static void assertEveryAcknowledgedEventOnceAndInOrder(List<String> first, List<Publisher> publishers,
      List<TailRecorder> nodes, RedisEventLog log) throws Exception {
    List<String> acked = Stream.concat(first.stream(), publishers.stream().flatMap(p -> p.ackedIds().stream()))
        .sorted(Comparator.comparingLong(EntryIds::position)).toList();
    Set<String> ackedSet = Set.copyOf(acked);
    long attempts = first.size() + publishers.stream().mapToLong(Publisher::attempts).sum();
    String last = acked.get(acked.size() - 1);
    for (TailRecorder node : nodes) {
      await().atMost(Duration.ofSeconds(30)).until(() -> node.received(last));
      List<String> ids = node.ids();
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(node.events()).isSortedAccordingTo(Comparator.comparingLong(StoredEvent::position));
      assertThat(ids.stream().filter(ackedSet::contains).toList()).isEqualTo(acked);
      assertThat((long) ids.size()).isLessThanOrEqualTo(attempts);
    }
    List<String> replayed = log.readAfter(EventLog.EARLIEST).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .events().stream().map(StoredEvent::id).toList();
    assertThat(replayed.stream().filter(ackedSet::contains).toList()).isEqualTo(acked);
  }

  /**
   * Failed publishes failed fast, with IllegalStateException naming Redis; while there was no
   * primary to write to, naming the Sentinel master and the sentinels.
   */
  private static void assertFailuresFastNamingRedis(List<Publisher> publishers, List<SentinelProcess> sentinels) {
    String where = "Redis is unavailable at Sentinel master " + MASTER + " (sentinels "
        + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(",")) + ")";
    List<Throwable> all = new java.util.ArrayList<>();
    for (Publisher p : publishers) {
      // Within the 2 s command timeout, with room for a loaded machine: what matters is that none hung.
      assertThat(p.slowestFailure()).isLessThan(Duration.ofSeconds(10));
      assertThat(p.failures()).allSatisfy(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Redis"));
      all.addAll(p.failures());
    }
    // Across the nodes, not each: a publisher's one append in flight at the kill (Redis had it, the
    // node's reader had not read it back) may wait out the whole outage and succeed once the reader
    // is back (it has 5 s), so that publisher never published while there was no primary.
    assertThat(all).anySatisfy(e -> assertThat(e).hasMessageStartingWith(where));
  }

  private static void awaitSentinelsSee(List<SentinelProcess> sentinels) {
    await("sentinels see the replica and each other").atMost(Duration.ofSeconds(30)).until(() -> {
      for (SentinelProcess s : sentinels) {
        if (s.replicasUp() != 1 || s.otherSentinelsUp() != sentinels.size() - 1) return false;
      }
      return true;
    });
  }

  private static int primaryPortOf(SentinelProcess sentinel) {
    try {
      return sentinel.primaryPort();
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void aSentinelThatDoesNotKnowTheMasterLeavesTheLogNotReadyAndPublishesFailFastNamingIt() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey("unknown");
    try (RedisProcess primary = RedisProcess.startFast(dir("primary"));
        SentinelProcess sentinel = SentinelProcess.start(dir("sentinel"), MASTER, primary, 1);
        RedisEventLog unknownMaster = RedisEventLog.connect(
            "redis-sentinel://127.0.0.1:" + sentinel.port() + "#other", settings);
        RedisEventLog noSentinel = RedisEventLog.connect(
            "redis-sentinel://127.0.0.1:" + RedisProcess.freePort() + "#" + MASTER, settings)) {
      for (RedisEventLog log : List.of(unknownMaster, noSentinel)) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> !log.ready());
      }
      assertThat(publish(unknownMaster, "lost").toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
          .withMessageContaining("Redis is unavailable at Sentinel master other (sentinels 127.0.0.1:"
              + sentinel.port() + ")");
      assertThat(noSentinel.readAfter(EventLog.EARLIEST).toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
          .withMessageContaining("Redis is unavailable at Sentinel master m (sentinels 127.0.0.1:");
    }
  }

  private static CompletionStage<StoredEvent> publish(RedisEventLog log, String data) {
    return log.append(List.of("t"), Event.of(data), false);
  }

  private static StoredEvent publishNow(RedisEventLog log, String data) throws Exception {
    return publish(log, data).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Publishes {@code <name>-<i>} in a loop on its own thread, one at a time, until closed, recording
   * what was acknowledged and what failed (and how long the slowest failure took).
   */
  private static final class Publisher implements AutoCloseable {
    private final String name;
    private final List<String> acked = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong slowestFailureNanos = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile Throwable crashed;

    Publisher(RedisEventLog log, String name) {
      this.name = name;
      this.thread = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          attempts.incrementAndGet();
          long start = System.nanoTime();
          try {
            acked.add(publish(log, name + "-" + i).toCompletableFuture().get(10, TimeUnit.SECONDS).id());
          } catch (ExecutionException e) {
            failures.add(e.getCause());
            slowestFailureNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
          } catch (Exception e) {
            crashed = e; // a publish neither acknowledged nor failed within 10 s
            return;
          }
          LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // pacing, not synchronisation
        }
      }, "publisher-" + name);
      thread.start();
    }

    long acked() {
      return acked.size();
    }

    List<String> ackedIds() {
      synchronized (acked) {
        return List.copyOf(acked);
      }
    }

    long failed() {
      return failures.size();
    }

    List<Throwable> failures() {
      synchronized (failures) {
        return List.copyOf(failures);
      }
    }

    long attempts() {
      return attempts.get();
    }

    Duration slowestFailure() {
      return Duration.ofNanos(slowestFailureNanos.get());
    }

    /** Stops the loop after the publish in flight and waits for it. */
    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(Duration.ofSeconds(15).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping publisher " + name, e);
      }
      if (thread.isAlive()) throw new AssertionError("publisher " + name + " did not stop");
      if (crashed != null) throw new AssertionError("publisher " + name + " stopped", crashed);
    }
  }
}
