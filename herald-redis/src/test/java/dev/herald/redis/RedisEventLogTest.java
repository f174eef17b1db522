package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RedisEventLogTest {
  private static final AtomicInteger STREAMS = new AtomicInteger();
  @RegisterExtension static final SharedRedis redis = new SharedRedis();
  private final String key = "test:" + STREAMS.incrementAndGet();

  private RedisEventLog log(RedisEventLog.Settings settings) {
    return redis.connect(settings);
  }

  private RedisEventLog log() {
    return log(RedisEventLog.Settings.defaults().withStreamKey(key));
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void appendedEventRoundTripsEveryFieldAndReachesTheTailBeforeItsAcknowledgement() throws Exception {
    RedisEventLog log = log();
    List<StoredEvent> tail = Collections.synchronizedList(new ArrayList<>());
    log.onAppend(tail::add);
    Event event = Event.builder().type("price").data("line 1\nline 2").retry(Duration.ofMillis(1500))
        .comment("first").comment("second").build();

    StoredEvent stored = get(log.append(List.of("prices/eur", "prices"), event, true));

    assertThat(stored.id()).matches("#\\d+-\\d+");
    assertThat(tail).containsExactly(stored);
    assertThat(stored.event()).isEqualTo(event.toBuilder().id(stored.id()).build());
    assertThat(stored.topics()).containsExactly("prices/eur", "prices");
    assertThat(stored.privateUpdate()).isTrue();
    assertThat(stored.timestampMillis()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));

    Replay replay = get(log.readAfter(EventLog.EARLIEST));
    assertThat(replay.historyCut()).isFalse();
    assertThat(replay.events()).hasSize(1);
    StoredEvent read = replay.events().get(0);
    assertThat(read.id()).isEqualTo(stored.id());
    assertThat(read.position()).isEqualTo(stored.position());
    assertThat(read.event()).isEqualTo(stored.event());
    assertThat(read.topics()).isEqualTo(stored.topics());
    assertThat(read.privateUpdate()).isTrue();
    assertThat(read.frame()).isEqualTo(stored.frame());
  }

  @Test
  void readAfterAKnownIdReturnsOnlyLaterEventsAndEarliestReturnsAll() throws Exception {
    RedisEventLog log = log();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) ids.add(get(log.append(List.of("t"), Event.of("e" + i), false)).id());

    Replay after = get(log.readAfter(ids.get(2)));
    assertThat(after.historyCut()).isFalse();
    assertThat(after.events()).extracting(StoredEvent::id).containsExactly(ids.get(3), ids.get(4));
    // The resumed id's position: a node behind the one that gave the client this id skips up to it.
    assertThat(after.afterPosition()).isEqualTo(EntryIds.position(ids.get(2)));
    assertThat(get(log.readAfter(ids.get(4))).events()).isEmpty();
    assertThat(get(log.readAfter("not-an-id-here")).afterPosition()).isEqualTo(Long.MIN_VALUE);
    // A client that kept an id from before assigned ids carried the mark resumes the same.
    Replay afterBare = get(log.readAfter(EntryIds.entry(ids.get(2))));
    assertThat(afterBare.historyCut()).isFalse();
    assertThat(afterBare.events()).extracting(StoredEvent::id).containsExactly(ids.get(3), ids.get(4));

    Replay all = get(log.readAfter(EventLog.EARLIEST));
    assertThat(all.historyCut()).isFalse();
    assertThat(all.events()).extracting(StoredEvent::id).containsExactlyElementsOf(ids);
    assertThat(all.events()).extracting(StoredEvent::position).isSorted();
  }

  @Test
  void anIdTheStreamDoesNotHoldIsAHistoryCutWithEverythingRetained() throws Exception {
    RedisEventLog log = log();
    String only = get(log.append(List.of("t"), Event.of("x"), false)).id();
    for (String unknown : List.of("nope", "1-0", "99999999999999-7", "")) {
      Replay replay = get(log.readAfter(unknown));
      assertThat(replay.historyCut()).as(unknown).isTrue();
      assertThat(replay.events()).extracting(StoredEvent::id).containsExactly(only);
    }
  }

  @Test
  void anIdRedisLostIsAHistoryCutWithOnlyWhatFollowsItNotTheWholeHistoryAgain() throws Exception {
    RedisEventLog log = log();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) ids.add(get(log.append(List.of("t"), Event.of("e" + i), false)).id());
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri())) {
      // A restart that lost writes: e1 (in the middle, a failover's fork) and e3 (the newest) are gone.
      raw(client).xdel(key, EntryIds.entry(ids.get(1)), EntryIds.entry(ids.get(3)));
    }
    Replay afterMiddle = get(log.readAfter(ids.get(1)));
    assertThat(afterMiddle.historyCut()).isTrue();
    assertThat(afterMiddle.events()).extracting(StoredEvent::id).containsExactly(ids.get(2));

    Replay afterNewest = get(log.readAfter(ids.get(3)));
    assertThat(afterNewest.historyCut()).isTrue();
    assertThat(afterNewest.events()).as("the client saw everything the stream still holds").isEmpty();
    assertThat(afterNewest.afterPosition()).isEqualTo(EntryIds.position(ids.get(3)));
  }

  @Test
  void anIdTrimmedByMaxEventsIsAHistoryCut() throws Exception {
    RedisEventLog log = log(RedisEventLog.Settings.defaults().withStreamKey(key).withMaxEvents(10));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) ids.add(get(log.append(List.of("t"), Event.of("e" + i), false)).id());
    Replay replay = get(log.readAfter(ids.get(0)));

    assertThat(replay.historyCut()).isTrue();
    // MAXLEN ~ trims whole stream nodes (100 entries by default): at most 200 of 300 stay, the newest always.
    assertThat(replay.events().size()).isBetween(10, 200);
    assertThat(replay.events()).extracting(StoredEvent::id)
        .containsExactlyElementsOf(ids.subList(300 - replay.events().size(), 300));
  }

  @Test
  void anAppendTrimmedBeforeTheTailReadItFailsAtOnceInsteadOfWaiting() throws Exception {
    RedisEventLog log = log(RedisEventLog.Settings.defaults().withStreamKey(key).withMaxEvents(10)
        .withDeliveryTimeout(Duration.ofSeconds(60)));
    List<StoredEvent> tail = Collections.synchronizedList(new ArrayList<>());
    log.onAppend(tail::add);
    List<CompletableFuture<StoredEvent>> appends = new ArrayList<>();
    for (int i = 0; i < 1000; i++) appends.add(log.append(List.of("t"), Event.of("e" + i), false).toCompletableFuture());

    // Some may be trimmed before the tail reads them (it lags a burst by more than 10 events):
    // each stage still completes promptly, and every acknowledged one went to the tail.
    CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(15, TimeUnit.SECONDS);
    for (CompletableFuture<StoredEvent> a : appends) {
      if (a.isCompletedExceptionally()) {
        assertThatThrownBy(a::join).cause().hasMessageContaining("trimmed it before this node read it");
      } else {
        assertThat(tail).contains(a.join());
      }
    }
  }

  @Test
  void aNodeFallingFurtherBehindThanTheStreamKeepsReportsTheGapBeforeTheEventsAfterIt() throws Exception {
    RedisEventLog.Settings settings = RedisEventLog.Settings.defaults().withStreamKey(key).withMaxEvents(10);
    RedisEventLog behind = log(settings);
    RedisEventLog publisher = log(settings);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
    behind.onAppend(e -> {
      seen.add(e.event().data());
      if (e.event().data().equals("first")) {
        stalled.countDown();
        try {
          resume.await(30, TimeUnit.SECONDS); // a long GC pause, say
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
    });
    behind.onTailGap(() -> seen.add("GAP"));
    List<String> publisherGaps = Collections.synchronizedList(new ArrayList<>());
    publisher.onTailGap(() -> publisherGaps.add("GAP"));

    get(publisher.append(List.of("t"), Event.of("first"), false));
    assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 500; i++) get(publisher.append(List.of("t"), Event.of("e" + i), false));
    resume.countDown();

    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("e499"));
    List<String> got = List.copyOf(seen);
    assertThat(got.subList(0, 2)).containsExactly("first", "GAP");
    // After the gap: what the stream kept, in order, up to the newest.
    int firstKept = Integer.parseInt(got.get(2).substring(1));
    assertThat(firstKept).isPositive();
    List<String> expected = new ArrayList<>();
    for (int i = firstKept; i < 500; i++) expected.add("e" + i);
    assertThat(got.subList(2, got.size())).containsExactlyElementsOf(expected);
    assertThat(publisherGaps).as("a node that kept up saw no gap").isEmpty();
  }

  /** A node that delivered "last" and records what its tail sees, gaps included. */
  private List<String> watching(RedisEventLog log) {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    log.onAppend(e -> seen.add(e.event().data()));
    log.onTailGap(() -> seen.add("GAP"));
    return seen;
  }

  /** Appends once the log's connections, killed by the test, are back (a publish on a dead one fails unsent). */
  private static void appendOnceReconnected(RedisEventLog log, String data) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      try {
        get(log.append(List.of("t"), Event.of(data), false));
        return true;
      } catch (ExecutionException e) {
        return false;
      }
    });
  }

  private static io.lettuce.core.api.sync.RedisCommands<String, String> raw(io.lettuce.core.RedisClient client) {
    return client.connect().sync();
  }

  @Test
  void anIdleStreamOlderThanMaxAgeKeepsItsNewestEntrySoNodesThatKeptUpSeeNoGap() throws Exception {
    RedisEventLog log = log(RedisEventLog.Settings.defaults().withStreamKey(key).withMaxAge(Duration.ofSeconds(1)));
    List<String> seen = watching(log);
    for (int i = 0; i < 250; i++) get(log.append(List.of("t"), Event.of("e" + i), false));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("e249"));
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri())) {
      // Idle past maxAge: the age trim drops the old entries (whole stream nodes), never the newest.
      await().atMost(Duration.ofSeconds(30)).until(() -> raw(client).xlen(key) < 250);
      assertThat(raw(client).xrevrange(key, io.lettuce.core.Range.unbounded(), io.lettuce.core.Limit.from(1)))
          .extracting(m -> m.getBody().get("data")).containsExactly("e249");
    }
    get(log.append(List.of("t"), Event.of("after the quiet"), false));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("after the quiet"));
    assertThat(seen).doesNotContain("GAP");
  }

  @Test
  void entriesRedisLostAfterThisNodeDeliveredThemAreAGapAndWhatFollowsIsDelivered() throws Exception {
    RedisEventLog log = log();
    List<String> seen = watching(log);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) ids.add(get(log.append(List.of("t"), Event.of("e" + i), false)).id());
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("e2"));
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri())) {
      // A Redis restart that lost the last write (AOF everysec, say): e2 is gone, connections broke.
      raw(client).xdel(key, EntryIds.entry(ids.get(2)));
      raw(client).clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme(true));
      appendOnceReconnected(log, "after the loss");
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("after the loss"));
      // The subscribers saw e2, which no history holds any more: they start over, then get what follows.
      assertThat(seen).containsExactly("e0", "e1", "e2", "GAP", "after the loss");
    }
  }

  @Test
  void anEntryTheAgeTrimLeftAloneWithNothingAfterItIsNoGap() throws Exception {
    RedisEventLog log = log();
    List<String> seen = watching(log);
    get(log.append(List.of("t"), Event.of("only"), false));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("only"));
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri())) {
      // Everything lost (a Redis without persistence restarted): nothing there to have been skipped.
      raw(client).del(key);
      raw(client).clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme(true));
      appendOnceReconnected(log, "after the restart");
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("after the restart"));
      assertThat(seen).containsExactly("only", "after the restart");
    }
  }

  @Test
  void readsPageByPageBeyondOneXrangePage() throws Exception {
    RedisEventLog log = log();
    List<CompletableFuture<StoredEvent>> appends = new ArrayList<>();
    for (int i = 0; i < 2500; i++) appends.add(log.append(List.of("t"), Event.of("e" + i), false).toCompletableFuture());
    CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    assertThat(get(log.readAfter(EventLog.EARLIEST)).events()).hasSize(2500);
    String first = appends.get(0).get().id();
    assertThat(get(log.readAfter(first)).events()).hasSize(2499);
  }

  @Test
  void anEventWithItsOwnIdKeepsItOnEveryNodeAndResumesAfterIt() throws Exception {
    RedisEventLog a = log();
    RedisEventLog b = log();
    List<StoredEvent> tailOfB = Collections.synchronizedList(new ArrayList<>());
    b.onAppend(tailOfB::add);

    StoredEvent own = get(a.append(List.of("t"), Event.builder().id("order-42").data("x").build(), false));
    StoredEvent next = get(a.append(List.of("t"), Event.of("y"), false));

    assertThat(own.id()).isEqualTo("order-42");
    assertThat(own.event().id()).isEqualTo("order-42");
    assertThat(next.position()).isGreaterThan(own.position());
    await().atMost(Duration.ofSeconds(30)).until(() -> tailOfB.size() == 2);
    assertThat(tailOfB).extracting(StoredEvent::id).containsExactly("order-42", next.id());
    Replay after = get(b.readAfter("order-42"));
    assertThat(after.historyCut()).isFalse();
    assertThat(after.events()).extracting(StoredEvent::id).containsExactly(next.id());
    assertThat(get(b.readAfter(EventLog.EARLIEST)).events()).extracting(StoredEvent::id)
        .containsExactly("order-42", next.id());
    assertThat(get(b.readAfter("order-41")).historyCut()).isTrue();
  }

  @Test
  void anOwnIdMayRepeatAcrossNodesAndOneShapedLikeAStreamIdIsRefused() throws Exception {
    RedisEventLog a = log();
    RedisEventLog b = log();
    get(a.append(List.of("t"), Event.builder().id("once").data("x").build(), false));
    StoredEvent between = get(a.append(List.of("u"), Event.of("between"), false));
    // Another node, another publisher, the same id: stored, refused to nobody.
    StoredEvent again = get(b.append(List.of("v"), Event.builder().id("once").data("y").build(), false));
    assertThat(again.id()).isEqualTo("once");
    assertThatThrownBy(() -> get(a.append(List.of("t"), Event.builder().id("17-0").data("z").build(), false)))
        .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream id");
    assertThat(get(a.readAfter(EventLog.EARLIEST)).events()).extracting(e -> e.event().data())
        .containsExactly("x", "between", "y");
    // A resume from the repeated id reads after its oldest occurrence: nothing lost.
    assertThat(get(b.readAfter("once")).events()).extracting(StoredEvent::id).containsExactly(between.id(), "once");
  }

  @Test
  void concurrentAppendsFromThreeNodesReachEveryTailOnceInOneOrder() throws Exception {
    List<List<StoredEvent>> tails = new ArrayList<>();
    List<RedisEventLog> nodes = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      RedisEventLog node = log();
      List<StoredEvent> tail = Collections.synchronizedList(new ArrayList<>());
      node.onAppend(tail::add);
      tails.add(tail);
      nodes.add(node);
    }
    int perNode = 200;
    ExecutorService publishers = Executors.newFixedThreadPool(3);
    try {
      List<Future<List<String>>> acked = new ArrayList<>();
      for (int n = 0; n < 3; n++) {
        RedisEventLog node = nodes.get(n);
        String name = "n" + n;
        acked.add(publishers.submit(() -> {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < perNode; i++) ids.add(get(node.append(List.of("t"), Event.of(name + "-" + i), false)).id());
          return ids;
        }));
      }
      for (Future<List<String>> f : acked) assertThat(f.get(30, TimeUnit.SECONDS)).hasSize(perNode);
    } finally {
      publishers.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> tails.stream().allMatch(t -> t.size() >= 3 * perNode));
    List<String> order = tails.get(0).stream().map(StoredEvent::id).toList();
    assertThat(order).hasSize(3 * perNode).doesNotHaveDuplicates();
    assertThat(tails.get(0)).extracting(StoredEvent::position).isSorted();
    for (List<StoredEvent> tail : tails) assertThat(tail).extracting(StoredEvent::id).containsExactlyElementsOf(order);
    // Each publisher's events keep the order it published them in.
    for (int n = 0; n < 3; n++) {
      String prefix = "n" + n + "-";
      List<String> data = tails.get(1).stream().map(e -> e.event().data()).filter(d -> d.startsWith(prefix)).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < perNode; i++) expected.add(prefix + i);
      assertThat(data).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void startsWithRedisDownNotReadyAndFailsPublishesFastUntilRedisAnswers(@TempDir Path other) throws Exception {
    RedisProcess later = RedisProcess.notStarted(other);
    try {
      // A command timeout far above the bound asserted below: failing fast must not mean timing out.
      RedisEventLog log = RedisEventLog.connect(later.uri(),
          RedisEventLog.Settings.defaults().withStreamKey(key).withCommandTimeout(SharedRedis.COMMAND_TIMEOUT));
      redis.closedAfterTest(log);
      assertThat(log.ready()).isFalse();
      long start = System.nanoTime();
      assertThatThrownBy(() -> get(log.append(List.of("t"), Event.of("x"), false)))
          .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("Redis is unavailable");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SharedRedis.COMMAND_TIMEOUT.dividedBy(3));
      assertThatThrownBy(() -> get(log.readAfter("1-0"))).cause().isInstanceOf(IllegalStateException.class);

      later.start();
      await().atMost(Duration.ofSeconds(30)).until(log::ready);
      List<StoredEvent> tail = Collections.synchronizedList(new ArrayList<>());
      log.onAppend(tail::add);
      StoredEvent stored = get(log.append(List.of("t"), Event.of("x"), false));
      assertThat(tail).containsExactly(stored);
    } finally {
      later.close();
    }
  }

  @Test
  void closeFailsNothingAcknowledgedAndRefusesLaterAppends() throws Exception {
    RedisEventLog log = log();
    get(log.append(List.of("t"), Event.of("x"), false));
    log.close();
    assertThat(log.ready()).isFalse();
    assertThatThrownBy(() -> get(log.append(List.of("t"), Event.of("y"), false)))
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
