package dev.herald.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few read connections, each used by one daemon thread at a time. In WAL mode they read the last
 * committed state without waiting for the writer, so replays never hold up publishes and vice versa.
 */
final class StoreReaders implements AutoCloseable {
  /** A query on one connection, inside one read transaction (one consistent snapshot). */
  interface Query<T> {
    T run(Connection c) throws SQLException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(StoreReaders.class);

  private final List<Connection> all;
  private final BlockingQueue<Connection> idle;
  private final ExecutorService executor;

  private StoreReaders(List<Connection> all) {
    this.all = all;
    this.idle = new ArrayBlockingQueue<>(all.size(), false, all);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(all.size(), r -> {
      Thread t = new Thread(r, "herald-store-reader-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  static StoreReaders open(String url, int connections) throws SQLException {
    List<Connection> all = new ArrayList<>(connections);
    try {
      for (int i = 0; i < connections; i++) all.add(StoreConnections.reader(url));
    } catch (SQLException e) {
      for (Connection c : all) closeQuietly(c);
      throw e;
    }
    return new StoreReaders(all);
  }

  /** Runs {@code query} on a reader thread; fails with IllegalStateException once closed. */
  <T> CompletionStage<T> submit(Query<T> query) {
    try {
      return CompletableFuture.supplyAsync(() -> run(query), executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new IllegalStateException("the event log is closed"));
    }
  }

  /** Runs {@code query} on the calling thread. */
  <T> T call(Query<T> query) throws SQLException {
    Connection c = idle.poll();
    if (c == null) {
      try {
        c = idle.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for a read connection", e);
      }
    }
    try {
      return query.run(c);
    } finally {
      try {
        c.rollback(); // ends the read transaction: a snapshot held open would pin the WAL
      } finally {
        idle.add(c);
      }
    }
  }

  private <T> T run(Query<T> query) {
    try {
      return call(query);
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("event store: reads still running at close");
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Connection c : all) closeQuietly(c);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.warn("event store: closing a read connection failed", e);
    }
  }
}
