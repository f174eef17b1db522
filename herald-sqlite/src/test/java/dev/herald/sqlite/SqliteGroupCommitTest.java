package dev.herald.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Durability costs one commit per batch, not per event: measured where each commit fsyncs. */
@Timeout(120)
class SqliteGroupCommitTest {
  private static final int THREADS = 10;
  private static final int PER_THREAD = 1_000;

  @TempDir Path dir;

  @Test
  void concurrentAppendsShareCommitsAndAllComplete() throws Exception {
    try (SqliteEventLog log = SqliteEventLog.open(dir, 100_000, Duration.ofHours(1), SqliteEventLog.Durability.FSYNC_ALWAYS)) {
      ExecutorService publishers = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<CompletableFuture<StoredEvent>>>> perThread = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        perThread.add(publishers.submit(() -> {
          start.await();
          List<CompletableFuture<StoredEvent>> stages = new ArrayList<>(PER_THREAD);
          for (int i = 0; i < PER_THREAD; i++) {
            Event e = i % 2 == 0 ? Event.of("t" + thread + " " + i)
                : Event.builder().id("t" + thread + "-" + i).data("own id").build();
            stages.add(log.append(List.of("topic/" + thread), e, false).toCompletableFuture());
          }
          return stages;
        }));
      }
      start.countDown();
      List<StoredEvent> all = new ArrayList<>();
      for (Future<List<CompletableFuture<StoredEvent>>> f : perThread) {
        List<StoredEvent> mine = new ArrayList<>();
        for (CompletableFuture<StoredEvent> s : f.get(60, TimeUnit.SECONDS)) mine.add(s.get(60, TimeUnit.SECONDS));
        // One publisher's appends keep their order in the log.
        assertThat(mine).extracting(StoredEvent::position).isSorted();
        all.addAll(mine);
      }
      publishers.shutdown();

      int events = THREADS * PER_THREAD;
      Set<Long> positions = new HashSet<>();
      all.forEach(e -> positions.add(e.position()));
      assertThat(positions).hasSize(events);
      assertThat(positions).allSatisfy(p -> assertThat(p).isBetween(1L, (long) events));
      assertThat(log.batches()).isPositive().isLessThan(events / 5);
      assertThat(log.readAfter(EventLog.EARLIEST).toCompletableFuture().get(30, TimeUnit.SECONDS).events())
          .hasSize(events);
    }
  }
}
