package dev.herald.sqlite;

import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread: it owns the write connection, and with it the log's order.
 *
 * <p>Group commit: it takes whatever appends are queued (up to {@link #MAX_BATCH}), inserts them in
 * one transaction, commits (one fsync), then, in position order, hands each event to the tail and
 * completes its stage. While it waits on the disk, new appends pile up in the queue and form the
 * next batch, so the busier the log, the more events share an fsync.
 *
 * <p>With {@link SqliteEventLog.Durability#FSYNC_EVERY_SECOND} commits do not fsync; the writer
 * runs a passive checkpoint (which fsyncs the WAL, then the database) on its one-second tick
 * whenever something was committed since the last one.
 *
 * <p>Retention runs here too, so deletes never contend with appends for SQLite's one write lock:
 * count retention inside every batch's transaction, age retention every {@link #RETENTION_INTERVAL}.
 */
final class StoreWriter implements Runnable {
  static final int MAX_BATCH = 1_000;
  static final Duration RETENTION_INTERVAL = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

  private final Connection connection;
  private final AppendQueue queue;
  private final Retention retention;
  private final Clock clock;
  private final PreparedStatement insert;
  private final PreparedStatement trimCount;
  private final PreparedStatement trimAge;
  private final SqliteEventLog.Durability durability;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private volatile Consumer<StoredEvent> tail = e -> {};

  // Writer thread only.
  private long lastPosition;
  private long lastTimestampMillis;
  private long count;
  private long nextRetentionNanos = System.nanoTime();
  private boolean unsynced; // committed since the last checkpoint (FSYNC_EVERY_SECOND)

  StoreWriter(Connection connection, AppendQueue queue, Retention retention, Clock clock, EventTable.Tip tip,
      SqliteEventLog.Durability durability) throws SQLException {
    this.durability = durability;
    this.connection = connection;
    this.queue = queue;
    this.retention = retention;
    this.clock = clock;
    this.lastPosition = tip.lastPosition();
    this.lastTimestampMillis = tip.lastTimestampMillis();
    this.count = tip.count();
    this.insert = connection.prepareStatement(EventTable.INSERT);
    this.trimCount = connection.prepareStatement(EventTable.TRIM_COUNT);
    this.trimAge = connection.prepareStatement(EventTable.TRIM_AGE);
  }

  void onAppend(Consumer<StoredEvent> tail) {
    this.tail = Objects.requireNonNull(tail, "tail");
  }

  /** Transactions that committed at least one event. */
  long batches() {
    return batches.get();
  }

  /** Checkpoints run to bound what a power loss can lose ({@code FSYNC_EVERY_SECOND} only). */
  long syncs() {
    return syncs.get();
  }

  @Override
  public void run() {
    List<WriteTask> tasks = new ArrayList<>(MAX_BATCH);
    try {
      boolean stopping = false;
      while (!stopping) {
        WriteTask first = queue.poll(nextRetentionNanos - System.nanoTime());
        tasks.clear();
        if (first != null) {
          tasks.add(first);
          queue.drainTo(tasks, MAX_BATCH - 1);
        }
        stopping = process(tasks);
      }
    } catch (InterruptedException e) {
      LOG.warn("event store writer interrupted; the log stops accepting appends");
    } catch (RuntimeException | Error e) {
      LOG.error("event store writer failed; the log stops accepting appends", e);
      throw e;
    } finally {
      IllegalStateException closed = new IllegalStateException("the event log is closed");
      for (WriteTask t : queue.closeAndDrain()) t.fail(closed);
      closeConnection();
    }
  }

  /** Writes one batch; true if it held the stop task. */
  private boolean process(List<WriteTask> tasks) {
    List<WriteTask.Append> appends = new ArrayList<>(tasks.size());
    List<WriteTask.Retain> retains = new ArrayList<>(0);
    boolean stop = false;
    for (WriteTask t : tasks) {
      if (t instanceof WriteTask.Append a) appends.add(a);
      else if (t instanceof WriteTask.Retain r) retains.add(r);
      else stop = true;
    }
    boolean ageDue = !retains.isEmpty() || System.nanoTime() - nextRetentionNanos >= 0;
    SQLException failure = write(appends, ageDue);
    for (WriteTask.Retain r : retains) {
      if (failure == null) r.done().complete(null);
      else r.fail(failure);
    }
    return stop;
  }

  /** One transaction: the appends, then retention. Returns the failure, if the batch failed. */
  private SQLException write(List<WriteTask.Append> appends, boolean ageDue) {
    if (appends.isEmpty() && !ageDue) return null;
    long position0 = lastPosition;
    long timestamp0 = lastTimestampMillis;
    long count0 = count;
    List<StoredEvent> written = new ArrayList<>(appends.size());
    List<WriteTask.Append> writtenAppends = new ArrayList<>(appends.size());
    try {
      for (WriteTask.Append a : appends) {
        StoredEvent e = insert(a);
        if (e != null) {
          written.add(e);
          writtenAppends.add(a);
        }
      }
      retain(ageDue);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      rollback();
      lastPosition = position0;
      lastTimestampMillis = timestamp0;
      count = count0;
      LOG.error("event store: cannot write a batch of {} events; failing their publishes", appends.size(), e);
      SQLException failure = e instanceof SQLException s ? s : new SQLException("event store write failed", e);
      for (WriteTask.Append a : appends) a.fail(failure);
      return failure;
    }
    if (!written.isEmpty() && durability == SqliteEventLog.Durability.FSYNC_EVERY_SECOND) unsynced = true;
    if (ageDue) {
      nextRetentionNanos = System.nanoTime() + RETENTION_INTERVAL.toNanos();
      if (unsynced) sync();
    }
    if (written.isEmpty()) return null;
    batches.incrementAndGet();
    Consumer<StoredEvent> t = tail;
    for (int i = 0; i < written.size(); i++) {
      StoredEvent e = written.get(i);
      try {
        t.accept(e);
      } catch (RuntimeException ex) {
        // The event is durable: the publish succeeded even if fan-out choked on it.
        LOG.warn("event store: the tail consumer failed on {}", e, ex);
      }
      writtenAppends.get(i).result().complete(e);
    }
    return null;
  }

  /** Inserts one event; null (and its stage failed) if it is invalid. */
  private StoredEvent insert(WriteTask.Append a) throws SQLException {
    long position = lastPosition + 1;
    String id = a.event().id() != null ? a.event().id() : EventLog.ASSIGNED_ID_MARK + position;
    // Timestamps never go down with the position, even if the clock steps back: age retention
    // then always deletes a prefix of the log.
    long timestamp = Math.max(clock.millis(), lastTimestampMillis);
    StoredEvent e;
    try {
      e = StoredEvent.of(id, position, a.topics(), a.event(), timestamp, a.privateUpdate());
    } catch (IllegalArgumentException invalid) {
      a.fail(invalid);
      return null;
    }
    RowCodec.bind(insert, e);
    insert.executeUpdate();
    lastPosition = position;
    lastTimestampMillis = timestamp;
    count++;
    return e;
  }

  private void retain(boolean ageDue) throws SQLException {
    if (count > retention.maxEvents()) {
      trimCount.setLong(1, count - retention.maxEvents() - 1);
      count -= trimCount.executeUpdate();
    }
    if (ageDue && count > 0) {
      trimAge.setLong(1, retention.cutoffMillis(clock.millis()));
      count -= trimAge.executeUpdate();
    }
  }

  /**
   * A passive checkpoint: fsyncs the WAL, copies what no reader still needs into the database and
   * fsyncs it. It never waits for readers; what it could not copy stays synced in the WAL.
   */
  private void sync() {
    try {
      try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
        r.next(); // busy, WAL frames, frames checkpointed: nothing to act on, the next tick retries
      }
      connection.commit(); // end the driver's transaction around the pragma, as after every batch
      unsynced = false;
      syncs.incrementAndGet();
    } catch (SQLException e) {
      LOG.warn("event store: the periodic checkpoint failed; it is retried in a second", e);
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.error("event store: rollback failed", e);
    }
  }

  private void closeConnection() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("event store: closing the write connection failed", e);
    }
  }
}
