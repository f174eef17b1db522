package dev.herald.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The durable log keeps the in-memory log's contract: ids, order, replay, the tail. */
@Timeout(60)
class SqliteEventLogTest {
  @TempDir Path dir;
  private final List<SqliteEventLog> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(SqliteEventLog::close);
  }

  private SqliteEventLog open() throws Exception {
    SqliteEventLog log = SqliteEventLog.open(dir, 1_000, Duration.ofHours(1));
    opened.add(log);
    return log;
  }

  @Test
  void isReadyWhileOpenAndNotOnceClosed() throws Exception {
    SqliteEventLog log = open();
    assertThat(log.ready()).isTrue();
    log.close();
    assertThat(log.ready()).isFalse();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the stage never completed", e);
    }
    throw new AssertionError("the stage succeeded");
  }

  static List<String> ids(Replay replay) {
    return replay.events().stream().map(StoredEvent::id).toList();
  }

  @Test
  void assignsDecimalPositionsAsIdsAndKeepsOwnIds() throws Exception {
    SqliteEventLog log = open();
    StoredEvent first = await(log.append(List.of("a"), Event.of("one"), false));
    StoredEvent own = await(log.append(List.of("a"), Event.builder().id("mine").data("two").build(), false));
    StoredEvent third = await(log.append(List.of("a"), Event.of("three"), false));

    assertThat(first.id()).isEqualTo("#1");
    assertThat(first.position()).isEqualTo(1);
    assertThat(own.id()).isEqualTo("mine");
    assertThat(own.position()).isEqualTo(2);
    assertThat(third.id()).isEqualTo("#3");
    assertThat(third.frame()).isEqualTo(EventEncoder.encode(Event.builder().id("#3").data("three").build()));
  }

  @Test
  void ownIdsMayRepeatAndAResumeFromOneReadsAfterItsOldestOccurrence() throws Exception {
    SqliteEventLog log = open();
    await(log.append(List.of("a"), Event.builder().id("x").data("1").build(), false));
    await(log.append(List.of("b"), Event.of("2"), false));
    // A retried publish, or the same id on another topic: stored again, refused to nobody.
    StoredEvent again = await(log.append(List.of("c"), Event.builder().id("x").data("3").build(), false));
    await(log.append(List.of("a"), Event.of("4"), false));

    assertThat(again.position()).isEqualTo(3);
    assertThat(ids(await(log.readAfter(EventLog.EARLIEST)))).containsExactly("x", "#2", "x", "#4");
    // A client that saw either x resumes after the first: it may see some events again, it loses none.
    assertThat(ids(await(log.readAfter("x")))).containsExactly("#2", "x", "#4");
  }

  @Test
  void assignsMarkedIdsSoADecimalOwnIdNeverMeetsOne() throws Exception {
    SqliteEventLog log = open();
    await(log.append(List.of("a"), Event.of("1"), false));
    // Before ids carried the mark, an own id 2 had to be refused: it was the next assigned id.
    assertThat(await(log.append(List.of("a"), Event.builder().id("2").data("mine").build(), false)).id()).isEqualTo("2");
    assertThat(await(log.append(List.of("a"), Event.of("next"), false)).id()).isEqualTo("#3");
    assertThat(ids(await(log.readAfter("2")))).containsExactly("#3");
    assertThat(ids(await(log.readAfter("#1")))).containsExactly("2", "#3");
  }

  @Test
  void migratesAVersion1FileWhoseIdsWereUniqueKeepingRowsAndPositions() throws Exception {
    // The schema Herald wrote before ids could repeat, with its rows and its sequence.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
          + " topics TEXT NOT NULL, type TEXT, data TEXT, retry TEXT, comments TEXT, private INTEGER NOT NULL,"
          + " timestamp_ms INTEGER NOT NULL)");
      long now = System.currentTimeMillis();
      s.executeUpdate("INSERT INTO events VALUES (7, '7', '[\"a\"]', NULL, 'seven', NULL, NULL, 0, " + now + ")");
      s.executeUpdate("INSERT INTO events VALUES (8, 'mine', '[\"a\"]', 't', 'eight', NULL, NULL, 1, " + now + ")");
      s.executeUpdate("UPDATE sqlite_sequence SET seq = 12 WHERE name = 'events'"); // 9..12 were trimmed
      s.executeUpdate("PRAGMA user_version = 1");
    }
    SqliteEventLog log = open();
    Replay all = await(log.readAfter(EventLog.EARLIEST));
    assertThat(all.events()).extracting(StoredEvent::position).containsExactly(7L, 8L);
    assertThat(all.events().get(1).event()).isEqualTo(Event.builder().id("mine").type("t").data("eight").build());
    assertThat(all.events().get(1).privateUpdate()).isTrue();
    // Positions are still never reused, and ids may now repeat.
    assertThat(await(log.append(List.of("a"), Event.of("next"), false)).id()).isEqualTo("#13");
    // An id assigned before ids carried the mark still resumes.
    assertThat(ids(await(log.readAfter("7")))).containsExactly("mine", "#13");
    assertThat(await(log.append(List.of("a"), Event.builder().id("mine").data("again").build(), false)).position())
        .isEqualTo(14);
    log.close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteEventLog.FILE_NAME));
        Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("PRAGMA user_version")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(1)).isEqualTo(EventTable.SCHEMA_VERSION);
    }
  }

  @Test
  void rejectsANullEvent() throws Exception {
    // Topics and ids are checked once, by the broker (BrokerPublishTest): the log trusts them.
    SqliteEventLog log = open();
    assertThatThrownBy(() -> log.append(List.of("a"), null, false)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void readsAfterAnIdInLogOrder() throws Exception {
    SqliteEventLog log = open();
    for (int i = 1; i <= 5; i++) await(log.append(List.of("t" + i % 2), Event.of("e" + i), false));

    Replay replay = await(log.readAfter("#2"));

    assertThat(replay.historyCut()).isFalse();
    assertThat(ids(replay)).containsExactly("#3", "#4", "#5");
    assertThat(replay.events()).extracting(StoredEvent::position).containsExactly(3L, 4L, 5L);
    assertThat(await(log.readAfter("#5")).events()).isEmpty();
    assertThat(await(log.readAfter("#5")).historyCut()).isFalse();
  }

  @Test
  void anUnknownIdReadsAllRetainedAndReportsTheCut() throws Exception {
    SqliteEventLog log = open();
    await(log.append(List.of("a"), Event.of("1"), false));
    await(log.append(List.of("a"), Event.of("2"), false));

    Replay replay = await(log.readAfter("never-seen"));

    assertThat(replay.historyCut()).isTrue();
    assertThat(ids(replay)).containsExactly("#1", "#2");
  }

  @Test
  void earliestReadsAllRetainedWithoutACut() throws Exception {
    SqliteEventLog log = open();
    assertThat(await(log.readAfter(EventLog.EARLIEST))).isEqualTo(new Replay(List.of(), false));
    await(log.append(List.of("a"), Event.of("1"), false));

    Replay replay = await(log.readAfter(EventLog.EARLIEST));

    assertThat(replay.historyCut()).isFalse();
    assertThat(ids(replay)).containsExactly("#1");
  }

  @Test
  void everyFieldSurvivesTheRoundTrip() throws Exception {
    SqliteEventLog log = open();
    Event full = Event.builder().id("full").type("price").data("line one\nline two ü 🚀\n").retry(Duration.ofNanos(1_500_000))
        .comment("first comment").comment("second\ncomment").build();
    Event idOnly = Event.builder().id("bare").build();
    Event commentOnly = Event.comment("just a comment");
    StoredEvent a = await(log.append(List.of("https://x/a", "https://x/b"), full, true));
    StoredEvent b = await(log.append(List.of("c"), idOnly, false));
    StoredEvent c = await(log.append(List.of("c"), commentOnly, false));
    log.close();

    List<StoredEvent> read = await(open().readAfter(EventLog.EARLIEST)).events();

    assertThat(read).hasSize(3);
    for (int i = 0; i < 3; i++) {
      StoredEvent written = List.of(a, b, c).get(i);
      StoredEvent back = read.get(i);
      assertThat(back.id()).isEqualTo(written.id());
      assertThat(back.position()).isEqualTo(written.position());
      assertThat(back.topics()).isEqualTo(written.topics());
      assertThat(back.event()).isEqualTo(written.event());
      assertThat(back.privateUpdate()).isEqualTo(written.privateUpdate());
      assertThat(back.timestampMillis()).isEqualTo(written.timestampMillis());
      assertThat(back.frame()).isEqualTo(written.frame());
    }
    assertThat(read.get(0).event().retry()).isEqualTo(Duration.ofNanos(1_500_000));
    assertThat(read.get(0).privateUpdate()).isTrue();
    assertThat(read.get(2).event().id()).isEqualTo("#3");
    assertThat(read.get(0).frame()).isEqualTo(EventEncoder.encode(full));
  }

  @Test
  void theTailSeesEveryEventOnceInOrderOnTheWriterBeforeItsStageCompletes() throws Exception {
    SqliteEventLog log = open();
    List<StoredEvent> tailed = Collections.synchronizedList(new ArrayList<>());
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    log.onAppend(e -> {
      tailed.add(e);
      threads.add(Thread.currentThread().getName());
    });
    List<CompletableFuture<Boolean>> seenFirst = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      seenFirst.add(log.append(List.of("a"), Event.of("e" + i), false).toCompletableFuture()
          .thenApply(e -> tailed.contains(e)));
    }
    CompletableFuture.allOf(seenFirst.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(seenFirst).allSatisfy(f -> assertThat(f.join()).isTrue());
    assertThat(tailed).extracting(StoredEvent::position).containsExactlyElementsOf(
        java.util.stream.LongStream.rangeClosed(1, 2_000).boxed().toList());
    assertThat(threads).containsOnly("herald-store-writer");
  }

  @Test
  void aFailingTailDoesNotFailThePublish() throws Exception {
    SqliteEventLog log = open();
    log.onAppend(e -> {
      throw new IllegalStateException("fan-out choked");
    });
    assertThat(await(log.append(List.of("a"), Event.of("x"), false)).id()).isEqualTo("#1");
    assertThat(ids(await(log.readAfter(EventLog.EARLIEST)))).containsExactly("#1");
  }

  @Test
  void aFailedWriteFailsItsBatchSkipsTheTailAndGivesBackItsPositions() throws Exception {
    SqliteEventLog log = open();
    List<StoredEvent> tailed = Collections.synchronizedList(new ArrayList<>());
    log.onAppend(tailed::add);
    await(log.append(List.of("a"), Event.of("before"), false));
    // Any write error (disk full, I/O error) looks the same to the writer: the statement fails.
    try (Connection c = DriverManager.getConnection(StoreConnections.url(log.file()));
        Statement s = c.createStatement()) {
      s.execute("CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW.data = 'boom'"
          + " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    }

    Throwable failed = failure(log.append(List.of("a"), Event.of("boom"), false));

    assertThat(failed).isInstanceOf(SQLException.class).hasMessageContaining("disk on fire");
    assertThat(tailed).extracting(StoredEvent::id).containsExactly("#1");
    StoredEvent after = await(log.append(List.of("a"), Event.of("after"), false));
    assertThat(after.position()).isEqualTo(2);
    assertThat(ids(await(log.readAfter(EventLog.EARLIEST)))).containsExactly("#1", "#2");
  }

  @Test
  void closeWritesEveryAcceptedAppendThenRefusesMore() throws Exception {
    SqliteEventLog log = open();
    List<CompletableFuture<StoredEvent>> stages = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) stages.add(log.append(List.of("a"), Event.of("e" + i), false).toCompletableFuture());

    log.close();

    assertThat(stages).allSatisfy(s -> assertThat(s).isCompleted().isNotCompletedExceptionally());
    assertThat(failure(log.append(List.of("a"), Event.of("late"), false))).isInstanceOf(IllegalStateException.class);
    assertThat(failure(log.readAfter(EventLog.EARLIEST))).isInstanceOf(IllegalStateException.class);
    assertThat(await(open().readAfter(EventLog.EARLIEST)).events()).hasSize(1_000); // maxEvents
  }

  @Test
  void reopeningKeepsHistoryAndContinuesPositionsAndIds() throws Exception {
    SqliteEventLog log = open();
    await(log.append(List.of("a"), Event.of("1"), false));
    await(log.append(List.of("a"), Event.builder().id("own").data("2").build(), false));
    log.close();

    SqliteEventLog again = open();
    StoredEvent next = await(again.append(List.of("a"), Event.of("3"), false));

    assertThat(next.id()).isEqualTo("#3");
    assertThat(next.position()).isEqualTo(3);
    assertThat(ids(await(again.readAfter("#1")))).containsExactly("own", "#3");
    // The id index survives the reopening: a resume from the own id still finds it.
    assertThat(ids(await(again.readAfter("own")))).containsExactly("#3");
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() throws Exception {
    open();
    assertThatThrownBy(() -> SqliteEventLog.open(dir)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open");
  }

  @Test
  void createsAMissingDataDirectory() throws Exception {
    Path nested = dir.resolve("a/b/c");
    try (SqliteEventLog log = SqliteEventLog.open(nested)) {
      await(log.append(List.of("a"), Event.of("x"), false));
      assertThat(log.file()).isEqualTo(nested.resolve("herald-events.db"));
    }
    assertThat(Files.exists(nested.resolve("herald-events.db"))).isTrue();
  }

  @Test
  void rejectsNegativeLimits() {
    assertThatThrownBy(() -> SqliteEventLog.open(dir, -1, Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SqliteEventLog.open(dir, 1, Duration.ofHours(-1))).isInstanceOf(IllegalArgumentException.class);
  }
}
