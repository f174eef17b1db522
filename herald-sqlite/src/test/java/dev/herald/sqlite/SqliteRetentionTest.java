package dev.herald.sqlite;

import static dev.herald.sqlite.SqliteEventLogTest.await;
import static dev.herald.sqlite.SqliteEventLogTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Retention by count and by age deletes the oldest events; asking for one of them reports a cut. */
@Timeout(60)
class SqliteRetentionTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);

  @Test
  void countRetentionKeepsTheNewestEvents() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 3, Duration.ofHours(1), clock)) {
      for (int i = 1; i <= 5; i++) await(log.append(List.of("a"), Event.of("e" + i), false));

      assertThat(log.size()).isEqualTo(3);
      assertThat(ids(await(log.readAfter(EventLog.EARLIEST)))).containsExactly("#3", "#4", "#5");
      Replay evicted = await(log.readAfter("#1"));
      assertThat(evicted.historyCut()).isTrue();
      assertThat(ids(evicted)).containsExactly("#3", "#4", "#5");
      assertThat(ids(await(log.readAfter("#3")))).containsExactly("#4", "#5");
    }
  }

  @Test
  void countRetentionAppliesToHistoryFromBefore() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 100, Duration.ofHours(1), clock)) {
      for (int i = 1; i <= 10; i++) await(log.append(List.of("a"), Event.of("e" + i), false));
    }
    try (SqliteEventLog log = SqliteEventLog.open(dir, 4, Duration.ofHours(1), clock)) {
      await(log.append(List.of("a"), Event.of("e11"), false));
      assertThat(ids(await(log.readAfter(EventLog.EARLIEST)))).containsExactly("#8", "#9", "#10", "#11");
    }
  }

  @Test
  void ageRetentionHidesThenDeletesTheOldest() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 100, Duration.ofMinutes(1), clock)) {
      await(log.append(List.of("a"), Event.of("old 1"), false));
      await(log.append(List.of("a"), Event.of("old 2"), false));
      clock.advance(Duration.ofSeconds(30));
      await(log.append(List.of("a"), Event.of("young"), false));
      clock.advance(Duration.ofSeconds(31));

      // Expired events are never replayed, even before the background pass deletes them.
      assertThat(ids(await(log.readAfter(EventLog.EARLIEST)))).containsExactly("#3");
      Replay cut = await(log.readAfter("#1"));
      assertThat(cut.historyCut()).isTrue();
      assertThat(ids(cut)).containsExactly("#3");

      await(log.retainNow());
      assertThat(log.size()).isEqualTo(1);

      clock.advance(Duration.ofSeconds(30));
      await(log.retainNow());
      assertThat(log.size()).isZero();
      assertThat(await(log.readAfter("#3"))).isEqualTo(new Replay(List.of(), true));
    }
  }

  @Test
  void positionsAreNeverReusedAfterRetentionEmptiedTheLog() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 100, Duration.ofMinutes(1), clock)) {
      await(log.append(List.of("a"), Event.of("1"), false));
      await(log.append(List.of("a"), Event.of("2"), false));
      clock.advance(Duration.ofMinutes(2));
      await(log.retainNow());
      assertThat(log.size()).isZero();
    }
    try (SqliteEventLog log = SqliteEventLog.open(dir, 100, Duration.ofMinutes(1), clock)) {
      assertThat(await(log.append(List.of("a"), Event.of("3"), false)).id()).isEqualTo("#3");
    }
  }

  @Test
  void ageRetentionRunsInTheBackground() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 100, Duration.ofMinutes(1), clock)) {
      await(log.append(List.of("a"), Event.of("1"), false));
      clock.advance(Duration.ofMinutes(2));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> log.size() == 0);
    }
  }
}
