package dev.herald.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Opens the store's connections, each configured for its one role. */
final class StoreConnections {
  /** How long a connection waits for a lock before failing (only recovery and checkpoints take one). */
  private static final int BUSY_TIMEOUT_MILLIS = 10_000;

  private StoreConnections() {}

  static String url(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath();
  }

  /**
   * The one write connection, in WAL mode: a commit appends to the write-ahead log and readers keep
   * reading the last committed state meanwhile.
   *
   * <p>{@code synchronous=FULL}, not NORMAL: in WAL mode NORMAL skips the fsync at commit and syncs
   * only at checkpoints, so a power loss or kernel crash can roll back the last transactions, which
   * are exactly the publishes just acknowledged. FULL syncs the WAL at every commit; since a commit
   * carries a whole batch (group commit), that is one fsync per batch, not per event.
   */
  static Connection writer(String url) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    Connection c = config.createConnection(url);
    c.setAutoCommit(false);
    return c;
  }

  /** A read connection: never writes, reads in short transactions (one snapshot per replay). */
  static Connection reader(String url) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    Connection c = config.createConnection(url);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA query_only = 1");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    c.setAutoCommit(false);
    return c;
  }
}
