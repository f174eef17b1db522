package dev.herald.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two durabilities, as Redis's {@code appendfsync always} and {@code everysec}: what SQLite is
 * told, and that the every-second one does sync (its checkpoints run) while events are written.
 * What each survives (the process's crash: both) is SqliteCrashTest's, which runs the default.
 */
class SqliteDurabilityTest {
  @TempDir Path dir;

  @Test
  void alwaysSyncsEveryCommitAndEverySecondLeavesItToTheCheckpoints() throws Exception {
    String url = StoreConnections.url(dir.resolve("pragma.db"));
    assertThat(synchronous(url, SqliteEventLog.Durability.FSYNC_ALWAYS)).as("FULL").isEqualTo(2);
    assertThat(synchronous(url, SqliteEventLog.Durability.FSYNC_EVERY_SECOND)).as("NORMAL").isEqualTo(1);
  }

  @Test
  void everySecondCheckpointsAfterWritesSoAPowerLossLosesAtMostAboutASecond() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 1_000, Duration.ofHours(1),
        SqliteEventLog.Durability.FSYNC_EVERY_SECOND)) {
      for (int round = 1; round <= 2; round++) {
        long before = log.syncs();
        log.append(List.of("t"), Event.of("round " + round), false).toCompletableFuture().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> log.syncs() > before);
      }
      assertThat(log.readAfter(EventLog.EARLIEST).toCompletableFuture().get(30, TimeUnit.SECONDS).events())
          .extracting(e -> e.event().data()).containsExactly("round 1", "round 2");
    }
    try (SqliteEventLog reopened = SqliteEventLog.open(dir)) {
      assertThat(reopened.readAfter(EventLog.EARLIEST).toCompletableFuture().get(30, TimeUnit.SECONDS).events()).hasSize(2);
    }
  }

  @Test
  void theDefaultIsEverySecondAsRedissDefault() {
    assertThat(SqliteEventLog.DEFAULT_DURABILITY).isEqualTo(SqliteEventLog.Durability.FSYNC_EVERY_SECOND);
  }

  private static int synchronous(String url, SqliteEventLog.Durability durability) throws Exception {
    try (Connection c = StoreConnections.writer(url, durability); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("PRAGMA synchronous")) {
      r.next();
      return r.getInt(1);
    }
  }
}
