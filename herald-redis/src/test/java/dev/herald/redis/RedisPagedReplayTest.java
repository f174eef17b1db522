package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.ReplayRequest;
import dev.herald.server.StoredEvent;
import dev.herald.server.Subscription;
import dev.herald.server.TopicPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replays in pages on the Redis stream: bounded in events and bytes; no private-id oracle. */
class RedisPagedReplayTest {
  private static final AtomicInteger STREAMS = new AtomicInteger();
  @RegisterExtension static final SharedRedis redis = new SharedRedis();
  private final String key = "paged:" + STREAMS.incrementAndGet();
  private final Subscription t = Subscription.of("t");

  private RedisEventLog log() {
    return redis.connect(RedisEventLog.Settings.defaults().withStreamKey(key));
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static List<String> ids(Replay replay) {
    return replay.events().stream().map(StoredEvent::id).toList();
  }

  private static List<Replay> pages(RedisEventLog log, ReplayRequest first) throws Exception {
    List<Replay> pages = new ArrayList<>();
    ReplayRequest request = first;
    while (true) {
      Replay page = get(log.readPage(request));
      pages.add(page);
      if (!page.more() || page.events().isEmpty()) return pages;
      request = request.next(page.events().get(page.events().size() - 1).position());
    }
  }

  @Test
  void pagesHoldAtMostTheirEventsAndBytesAndTogetherTheWholeHistory() throws Exception {
    try (RedisEventLog log = log()) {
      List<String> all = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        all.add(get(log.append(List.of("t"), Event.of("x".repeat(i % 7 == 0 ? 500 : 20)), false)).id());
      }
      List<Replay> byCount = pages(log, ReplayRequest.after(EventLog.EARLIEST, t, 25, 1 << 20));
      assertThat(byCount).extracting(p -> p.events().size()).containsExactly(25, 25, 10);
      assertThat(byCount.stream().flatMap(p -> ids(p).stream()).toList()).isEqualTo(all);

      List<Replay> byBytes = pages(log, ReplayRequest.after(all.get(4), t, 1_000, 300));
      for (Replay page : byBytes) assertThat(page.events().size() == 1 || page.bytes() <= 300).isTrue();
      assertThat(byBytes.get(0).afterPosition()).isNotEqualTo(Long.MIN_VALUE);
      assertThat(byBytes.stream().flatMap(p -> ids(p).stream()).toList()).isEqualTo(all.subList(5, 60));
    }
  }

  @Test
  void aResumeFromAPrivateUpdateTheSubscriberMayNotSeeReadsAsFromAMissingId() throws Exception {
    try (RedisEventLog log = log()) {
      String one = get(log.append(List.of("t"), Event.of("one"), false)).id();
      StoredEvent secret = get(log.append(List.of("t"), Event.of("secret"), true));
      String three = get(log.append(List.of("t"), Event.of("three"), false)).id();
      StoredEvent ownSecret = get(log.append(List.of("t"), Event.builder().id("own-secret").data("s").build(), true));
      // An entry id in the stream's range that no entry has: what a guess of an id looks like.
      String missing = secret.id().substring(0, secret.id().indexOf('-')) + "-999";
      Subscription authorised = new Subscription(Set.of("t"), List.of(), List.of(TopicPattern.glob("t")));

      Replay afterSecret = get(log.readPage(ReplayRequest.after(secret.id(), t, 100, 1 << 20)));
      assertThat(afterSecret.historyCut()).isTrue();
      assertThat(ids(afterSecret)).containsExactly(three, ownSecret.id());
      Replay afterMissing = get(log.readPage(ReplayRequest.after(missing, t, 100, 1 << 20)));
      assertThat(afterMissing.historyCut()).isTrue();

      // An own id, like any unknown own id: a cut and everything.
      Replay afterOwn = get(log.readPage(ReplayRequest.after("own-secret", t, 100, 1 << 20)));
      Replay afterUnknownOwn = get(log.readPage(ReplayRequest.after("own-never", t, 100, 1 << 20)));
      assertThat(ids(afterOwn)).isEqualTo(ids(afterUnknownOwn)).startsWith(one);
      assertThat(List.of(afterOwn.historyCut(), afterOwn.afterPosition()))
          .isEqualTo(List.of(afterUnknownOwn.historyCut(), afterUnknownOwn.afterPosition()))
          .isEqualTo(List.of(true, Long.MIN_VALUE));

      Replay allowed = get(log.readPage(ReplayRequest.after(secret.id(), authorised, 100, 1 << 20)));
      assertThat(allowed.historyCut()).isFalse();
      assertThat(ids(allowed)).containsExactly(three, ownSecret.id());
    }
  }
}
