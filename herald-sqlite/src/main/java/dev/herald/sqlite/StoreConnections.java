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
   * <p>{@link SqliteEventLog.Durability#FSYNC_ALWAYS}: {@code synchronous=FULL}, which syncs the
   * WAL at every commit; since a commit carries a whole batch (group commit), that is one fsync
   * per batch, not per event. {@link SqliteEventLog.Durability#FSYNC_EVERY_SECOND}: {@code
   * synchronous=NORMAL}, which in WAL mode skips the fsync at commit and syncs only at
   * checkpoints; the writer then checkpoints every second while there are writes, which bounds
   * what a power loss can roll back.
   */
  static Connection writer(String url, SqliteEventLog.Durability durability) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(durability == SqliteEventLog.Durability.FSYNC_ALWAYS
        ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
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
