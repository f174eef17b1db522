package dev.herald.sqlite;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.ReplayRequest;
import dev.herald.server.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable event log in one SQLite file, {@code <dataDir>/herald-events.db}, in WAL mode.
 *
 * <p>An append's stage completes only once the event is committed, so an acknowledged publish
 * survives the process's crash (kill -9, out of memory). Whether it also survives a power loss or
 * a kernel crash is the {@link Durability}: {@link Durability#FSYNC_EVERY_SECOND} (the default,
 * as Redis's {@code appendfsync everysec}) may lose the last second of acknowledged events there;
 * {@link Durability#FSYNC_ALWAYS} fsyncs every commit before acknowledging. Appends are
 * group-committed: one writer thread, {@code herald-store-writer}, writes whatever is queued in
 * one transaction, so even {@code FSYNC_ALWAYS} costs one fsync per batch, not per event.
 *
 * <p>Ids and order follow {@link dev.herald.server.InMemoryEventLog}: an event keeps its own id,
 * else its id is its decimal position; positions continue across restarts and are never reused.
 * Own ids of decimal digits only are refused, so that they never collide with assigned ones; an
 * own id may repeat, and a resume from it reads after its oldest retained occurrence. History is bounded by count (trimmed in
 * every batch) and by age (trimmed every second, and never returned once expired).
 *
 * <p>Threads: the tail consumer runs on the writer thread, once per event, in position order,
 * before the event's stage completes; stages complete on that thread too, so whatever a caller
 * chains to them before completion runs there and must be quick. Replays run on reader threads
 * with their own connections and do not wait for the writer.
 */
public final class SqliteEventLog implements EventLog {
  /** The store's file name inside the data directory. */
  public static final String FILE_NAME = "herald-events.db";
  /** Default number of events kept. */
  public static final int DEFAULT_MAX_EVENTS = 100_000;
  /** Default age after which events are dropped. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
  /**
   * What an acknowledged append survives beyond the process's own crash, which it always survives
   * (the committed write-ahead log is in the operating system's hands). Redis's
   * {@code appendfsync} offers the same choice.
   */
  public enum Durability {
    /**
     * fsync at every commit ({@code synchronous=FULL}): an acknowledged event survives a power loss
     * or a kernel crash too. Each commit waits for the disk, so publishes that do not overlap are
     * acknowledged at the disk's fsync latency.
     */
    FSYNC_ALWAYS,
    /**
     * fsync at most a second after a commit ({@code synchronous=NORMAL} and a checkpoint every
     * second while there are writes): a power loss or a kernel crash may lose the events
     * acknowledged in the last second or so; the process's crash loses nothing. Acknowledgements
     * do not wait for the disk.
     */
    FSYNC_EVERY_SECOND
  }

  /** The default durability: that of Redis's default, {@code appendfsync everysec}. */
  public static final Durability DEFAULT_DURABILITY = Durability.FSYNC_EVERY_SECOND;

  /** Appends waiting for the writer beyond which new ones are refused, so a stalled disk bounds memory. */
  static final int MAX_PENDING_APPENDS = 100_000;
  private static final int READ_CONNECTIONS = 2;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(SqliteEventLog.class);

  private final Path file;
  private final Retention retention;
  private final Clock clock;
  private final AppendQueue queue;
  private final StoreWriter writer;
  private final Thread writerThread;
  private final StoreReaders readers;
  private final DirectoryLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SqliteEventLog(Path file, Retention retention, Clock clock, AppendQueue queue, StoreWriter writer,
      StoreReaders readers, DirectoryLock lock) {
    this.file = file;
    this.retention = retention;
    this.clock = clock;
    this.queue = queue;
    this.writer = writer;
    this.readers = readers;
    this.lock = lock;
    this.writerThread = new Thread(writer, "herald-store-writer");
    writerThread.setDaemon(true);
  }

  /** Opens (creating if needed) the store in {@code dataDir} with the default limits. */
  public static SqliteEventLog open(Path dataDir) throws IOException {
    return open(dataDir, DEFAULT_MAX_EVENTS, DEFAULT_MAX_AGE);
  }

  /**
   * Opens (creating the directory and the file if needed) the store in {@code dataDir}, keeping at
   * most {@code maxEvents} events for at most {@code maxAge}.
   *
   * @throws IOException if the directory or the database cannot be opened
   * @throws IllegalStateException if another log (in this process or another) has it open
   */
  public static SqliteEventLog open(Path dataDir, int maxEvents, Duration maxAge) throws IOException {
    return open(dataDir, maxEvents, maxAge, DEFAULT_DURABILITY);
  }

  /**
   * As {@link #open(Path, int, Duration)}, with the given durability.
   *
   * @throws IOException if the directory or the database cannot be opened
   * @throws IllegalStateException if another log (in this process or another) has it open
   */
  public static SqliteEventLog open(Path dataDir, int maxEvents, Duration maxAge, Durability durability)
      throws IOException {
    return open(dataDir, maxEvents, maxAge, durability, Clock.systemUTC());
  }

  static SqliteEventLog open(Path dataDir, int maxEvents, Duration maxAge, Clock clock) throws IOException {
    return open(dataDir, maxEvents, maxAge, DEFAULT_DURABILITY, clock);
  }

  static SqliteEventLog open(Path dataDir, int maxEvents, Duration maxAge, Durability durability, Clock clock)
      throws IOException {
    Objects.requireNonNull(durability, "durability");
    Retention retention = new Retention(maxEvents, maxAge);
    Objects.requireNonNull(clock, "clock");
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE_NAME);
    DirectoryLock lock = DirectoryLock.acquire(dataDir.resolve(FILE_NAME + ".lock"));
    Connection write = null;
    StoreReaders readers = null;
    try {
      String url = StoreConnections.url(file);
      write = StoreConnections.writer(url, durability);
      EventTable.create(write);
      write.commit();
      EventTable.Tip tip = EventTable.tip(write);
      write.commit();
      readers = StoreReaders.open(url, READ_CONNECTIONS);
      AppendQueue queue = new AppendQueue(MAX_PENDING_APPENDS);
      StoreWriter writer = new StoreWriter(write, queue, retention, clock, tip, durability);
      SqliteEventLog log = new SqliteEventLog(file, retention, clock, queue, writer, readers, lock);
      log.writerThread.start();
      LOG.debug("event store {} open: {} events, last position {}", file, tip.count(), tip.lastPosition());
      return log;
    } catch (SQLException e) {
      closeAll(readers, write, lock);
      throw new IOException("cannot open the event store " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll(readers, write, lock);
      throw e;
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /** Called on the writer thread, {@code herald-store-writer}, once per durable event, in order. */
  @Override
  public void onAppend(Consumer<StoredEvent> tail) {
    writer.onAppend(tail);
  }

  /**
   * Queues {@code event} for the next batch. The stage completes, on the writer thread, once the
   * batch is committed and the event went to the tail; it fails with IllegalStateException once the
   * log is closed, RejectedExecutionException when too many appends are waiting, or the
   * SQLException of a failed write. An event without its own id gets {@code #<position>}.
   * The broker checked the update (topics, data, a non-empty own id).
   */
  @Override
  public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
    Objects.requireNonNull(event, "event");
    List<String> copy = List.copyOf(topics);
    CompletableFuture<StoredEvent> result = new CompletableFuture<>();
    switch (queue.offer(new WriteTask.Append(copy, event, privateUpdate, result))) {
      case ACCEPTED:
        return result;
      case FULL:
        return CompletableFuture.failedFuture(new RejectedExecutionException(
            "the event store is behind: " + MAX_PENDING_APPENDS + " appends waiting"));
      default:
        return CompletableFuture.failedFuture(new IllegalStateException("the event log is closed"));
    }
  }

  /**
   * Reads on a reader thread, from one snapshot of the committed log; expired events are never
   * returned. An id the log does not hold (null included) reads everything, reporting a cut.
   */
  @Override
  public CompletionStage<Replay> readAfter(String lastEventId) {
    long cutoff = retention.cutoffMillis(clock.millis());
    return readers.submit(c -> {
      if (EARLIEST.equals(lastEventId)) return new Replay(EventTable.after(c, 0, cutoff), false);
      long after = lastEventId == null ? -1 : EventTable.positionOf(c, lastEventId, cutoff);
      if (after < 0) return new Replay(EventTable.after(c, 0, cutoff), true);
      return new Replay(EventTable.after(c, after, cutoff), false);
    });
  }

  /**
   * Reads one page on a reader thread, in its own read transaction; expired events are never
   * returned. A subscription to exact topics reads only their rows. An id the log does not hold, or
   * whose event is a private update the subscriber may not know, reads from the start, reporting
   * a cut. Pages are separate snapshots: an event that retention removes while a slow replay is
   * behind it is not sent, exactly as for a client that resumes later.
   */
  @Override
  public CompletionStage<Replay> readPage(ReplayRequest request) {
    long cutoff = retention.cutoffMillis(clock.millis());
    return readers.submit(c -> {
      if (!request.first()) return page(c, request, request.afterPosition(), cutoff, false, Long.MIN_VALUE);
      String id = request.lastEventId();
      if (EARLIEST.equals(id)) return page(c, request, 0, cutoff, false, Long.MIN_VALUE);
      EventTable.Resume at = EventTable.resume(c, id, cutoff);
      if (at == null || !request.mayKnow(at.topics(), at.privateUpdate())) {
        return page(c, request, 0, cutoff, true, Long.MIN_VALUE);
      }
      return page(c, request, at.position(), cutoff, false, at.position());
    });
  }

  private static Replay page(Connection c, ReplayRequest request, long position, long cutoff, boolean cut,
      long afterPosition) throws SQLException {
    EventTable.Page page = EventTable.page(c, position, cutoff, request.exactTopics(), request.maxEvents(),
        request.maxBytes());
    return new Replay(page.events(), cut, afterPosition, page.more());
  }

  /** Whether the store answers: it is open and a read connection is valid. For {@code /readyz}. */
  public boolean ready() {
    if (closed.get()) return false;
    try {
      return readers.call(c -> c.isValid(1));
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /** Events in the file, including expired ones the next retention pass will delete. Blocks. */
  public long size() {
    try {
      return readers.call(EventTable::count);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the event store's rows", e);
    }
  }

  /** Transactions that committed at least one event: far fewer than events under load. */
  long batches() {
    return writer.batches();
  }

  /** Periodic checkpoints run so far (with {@link Durability#FSYNC_EVERY_SECOND}). */
  long syncs() {
    return writer.syncs();
  }

  /** Runs age retention on the writer now; completes once committed. */
  CompletionStage<Void> retainNow() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (queue.offer(new WriteTask.Retain(done)) != AppendQueue.Offer.ACCEPTED) {
      done.completeExceptionally(new IllegalStateException("the event log is closed"));
    }
    return done;
  }

  /**
   * Stops accepting appends, writes every one already accepted (or fails it, if the write fails),
   * then closes the file. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    queue.close();
    try {
      writerThread.join(CLOSE_TIMEOUT.toMillis());
      if (writerThread.isAlive()) LOG.warn("event store writer still busy after {}", CLOSE_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    readers.close();
    try {
      lock.close();
    } catch (IOException e) {
      LOG.warn("event store: releasing the directory lock failed", e);
    }
  }

  private static void closeAll(StoreReaders readers, Connection write, DirectoryLock lock) throws IOException {
    if (readers != null) readers.close();
    closeQuietly(write);
    lock.close();
  }

  private static void closeQuietly(Connection c) {
    if (c == null) return;
    try {
      c.close();
    } catch (SQLException e) {
      LOG.warn("event store: closing a connection failed", e);
    }
  }
}
