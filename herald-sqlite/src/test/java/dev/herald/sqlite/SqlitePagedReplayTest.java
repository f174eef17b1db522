package dev.herald.sqlite;

import static dev.herald.sqlite.SqliteEventLogTest.await;
import static dev.herald.sqlite.SqliteEventLogTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.ReplayRequest;
import dev.herald.server.StoredEvent;
import dev.herald.server.Subscription;
import dev.herald.server.TopicPattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Replays in pages: bounded in events and bytes, only the subscriber's topics, no private-id oracle. */
@Timeout(60)
class SqlitePagedReplayTest {
  @TempDir Path dir;
  private SqliteEventLog log;

  @AfterEach
  void close() {
    if (log != null) log.close();
  }

  private void open() throws Exception {
    log = SqliteEventLog.open(dir, 1_000, Duration.ofHours(1));
  }

  private StoredEvent append(String topic, String data, boolean privateUpdate) throws Exception {
    return await(log.append(List.of(topic), Event.of(data), privateUpdate));
  }

  /** Every page from {@code first} on, as the broker asks for them. */
  private List<Replay> pages(ReplayRequest first) throws Exception {
    List<Replay> pages = new ArrayList<>();
    ReplayRequest request = first;
    while (true) {
      Replay page = await(log.readPage(request));
      pages.add(page);
      if (!page.more() || page.events().isEmpty()) return pages;
      request = request.next(page.events().get(page.events().size() - 1).position());
    }
  }

  @Test
  void pagesHoldAtMostTheirEventsAndBytesAndTogetherTheWholeHistory() throws Exception {
    open();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) all.add(append("t", "x".repeat(i % 5 == 0 ? 300 : 10), false).id());
    Subscription t = Subscription.of("t");

    List<Replay> byCount = pages(ReplayRequest.after(EventLog.EARLIEST, t, 10, 1 << 20));
    assertThat(byCount).extracting(p -> p.events().size()).containsExactly(10, 10, 5);
    assertThat(byCount.stream().flatMap(p -> ids(p).stream()).toList()).isEqualTo(all);

    List<Replay> byBytes = pages(ReplayRequest.after(EventLog.EARLIEST, t, 1_000, 200));
    for (Replay page : byBytes) {
      // A frame over the bound comes alone; otherwise a page stays within it.
      assertThat(page.events().size() == 1 || page.bytes() <= 200).isTrue();
    }
    assertThat(byBytes.stream().flatMap(p -> ids(p).stream()).toList()).isEqualTo(all);
  }

  @Test
  void aSubscriptionToExactTopicsReadsOnlyTheirRows() throws Exception {
    open();
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      StoredEvent e = append(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c", "e" + i, false);
      if (!e.topics().contains("c")) mine.add(e.id());
    }
    Subscription ab = new Subscription(Set.of("a", "b"), List.of());
    List<Replay> pages = pages(ReplayRequest.after(EventLog.EARLIEST, ab, 4, 1 << 20));
    assertThat(pages.stream().flatMap(p -> ids(p).stream()).toList()).isEqualTo(mine);

    // A pattern cannot be a SQL filter: every topic, which the broker filters.
    Subscription pattern = new Subscription(Set.of(), List.of(TopicPattern.glob("a")));
    assertThat(await(log.readPage(ReplayRequest.after(EventLog.EARLIEST, pattern, 100, 1 << 20))).events())
        .hasSize(30);
  }

  @Test
  void aResumeFromAPrivateUpdateTheSubscriberMayNotSeeReadsAsFromAnUnknownId() throws Exception {
    open();
    append("t", "one", false);
    StoredEvent secret = append("t", "secret", true);
    append("t", "three", false);
    Subscription anonymous = Subscription.of("t");
    Subscription authorised = new Subscription(Set.of("t"), List.of(), List.of(TopicPattern.glob("t")));

    Replay afterSecret = await(log.readPage(ReplayRequest.after(secret.id(), anonymous, 100, 1 << 20)));
    Replay afterUnknown = await(log.readPage(ReplayRequest.after("never", anonymous, 100, 1 << 20)));
    assertThat(ids(afterSecret)).isEqualTo(ids(afterUnknown)).containsExactly("#1", "#2", "#3");
    assertThat(List.of(afterSecret.historyCut(), afterSecret.afterPosition(), afterSecret.more()))
        .isEqualTo(List.of(afterUnknown.historyCut(), afterUnknown.afterPosition(), afterUnknown.more()))
        .isEqualTo(List.of(true, Long.MIN_VALUE, false));

    Replay allowed = await(log.readPage(ReplayRequest.after(secret.id(), authorised, 100, 1 << 20)));
    assertThat(allowed.historyCut()).isFalse();
    assertThat(allowed.afterPosition()).isEqualTo(secret.position());
    assertThat(ids(allowed)).containsExactly("#3");
  }
}
