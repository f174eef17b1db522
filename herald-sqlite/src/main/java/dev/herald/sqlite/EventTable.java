package dev.herald.sqlite;

import dev.herald.server.ReplayRequest;
import dev.herald.server.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The schema and the SQL of the {@code events} table. The position is the rowid, so reading in log
 * order is a walk of the table's own b-tree; the id has an index (id, position) for resumes. Ids
 * are not unique: a publisher may use one id for several events (schema version 2; version 1 made
 * ids unique, and {@link #create} migrates such a file in place).
 */
final class EventTable {
  static final int SCHEMA_VERSION = 2;
  static final String COLUMNS = "position, id, topics, type, data, retry, comments, private, timestamp_ms";

  // AUTOINCREMENT only for sqlite_sequence: it remembers the highest position ever written, so
  // positions (and assigned ids) are never reused, even after retention emptied the table.
  private static final String CREATE = "CREATE TABLE IF NOT EXISTS events ("
      + " position INTEGER PRIMARY KEY AUTOINCREMENT,"
      + " id TEXT NOT NULL,"
      + " topics TEXT NOT NULL,"
      + " type TEXT,"
      + " data TEXT,"
      + " retry TEXT,"
      + " comments TEXT,"
      + " private INTEGER NOT NULL,"
      + " timestamp_ms INTEGER NOT NULL)";
  private static final String CREATE_ID_INDEX = "CREATE INDEX IF NOT EXISTS events_by_id ON events (id, position)";

  /** Inserts a row. */
  static final String INSERT = "INSERT INTO events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** Deletes the oldest rows; the parameter is how many, minus one. */
  static final String TRIM_COUNT = "DELETE FROM events WHERE position <="
      + " (SELECT position FROM events ORDER BY position LIMIT 1 OFFSET ?)";

  /**
   * Deletes every row before the first one stamped at or after the parameter. Timestamps never go
   * down with the position (the writer sees to it), so this walks only the rows it deletes.
   */
  static final String TRIM_AGE = "DELETE FROM events WHERE position < COALESCE("
      + "(SELECT position FROM events WHERE timestamp_ms >= ? ORDER BY position LIMIT 1),"
      + " (SELECT MAX(position) + 1 FROM events))";

  private static final String SELECT_AFTER = "SELECT " + COLUMNS + " FROM events"
      + " WHERE position > ? AND timestamp_ms >= ? ORDER BY position";
  /** The oldest retained event with an id: a resume from a repeated id misses nothing. */
  private static final String SELECT_ID =
      "SELECT position FROM events WHERE id = ? AND timestamp_ms >= ? ORDER BY position LIMIT 1";

  private static final String SELECT_RESUME = "SELECT position, topics, private FROM events"
      + " WHERE id = ? AND timestamp_ms >= ? ORDER BY position LIMIT 1";

  private EventTable() {}

  /**
   * Creates the table if needed, migrates a version 1 file, and checks the file is not from a
   * newer Herald. Runs in the caller's transaction: a failed migration leaves the file as it was.
   */
  static void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      int version;
      try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
        version = r.next() ? r.getInt(1) : 0;
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException("the event store has schema version " + version
            + "; this Herald reads up to " + SCHEMA_VERSION);
      }
      if (version == 1) migrateFromUniqueIds(s);
      s.executeUpdate(CREATE);
      s.executeUpdate(CREATE_ID_INDEX);
      s.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
    }
  }

  /**
   * Version 1 declared {@code id UNIQUE}, which SQLite cannot drop: copy the rows into a table
   * without it, keeping positions, and the highest position ever used (sqlite_sequence), so
   * positions are still never reused.
   */
  private static void migrateFromUniqueIds(Statement s) throws SQLException {
    s.executeUpdate("ALTER TABLE events RENAME TO events_v1");
    s.executeUpdate(CREATE);
    s.executeUpdate("INSERT INTO events (" + COLUMNS + ") SELECT " + COLUMNS + " FROM events_v1 ORDER BY position");
    long highest = 0;
    try (ResultSet r = s.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'events_v1'")) {
      if (r.next()) highest = r.getLong(1);
    }
    s.executeUpdate("DROP TABLE events_v1");
    s.executeUpdate("DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v1')");
    try (ResultSet r = s.executeQuery("SELECT COALESCE(MAX(position), 0) FROM events")) {
      if (r.next()) highest = Math.max(highest, r.getLong(1));
    }
    s.executeUpdate("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', " + highest + ")");
  }

  /** Where a reopened log continues: the highest position ever used, the newest timestamp, the row count. */
  record Tip(long lastPosition, long lastTimestampMillis, long count) {}

  static Tip tip(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      long lastPosition = 0;
      long lastTimestamp = 0;
      long count;
      try (ResultSet r = s.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'events'")) {
        if (r.next()) lastPosition = r.getLong(1);
      }
      try (ResultSet r = s.executeQuery(
          "SELECT position, timestamp_ms FROM events ORDER BY position DESC LIMIT 1")) {
        if (r.next()) {
          lastPosition = Math.max(lastPosition, r.getLong(1));
          lastTimestamp = r.getLong(2);
        }
      }
      try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM events")) {
        count = r.next() ? r.getLong(1) : 0;
      }
      return new Tip(lastPosition, lastTimestamp, count);
    }
  }

  /** The position of the event {@code id}, if it is still retained at {@code cutoffMillis}; else -1. */
  static long positionOf(Connection c, String id, long cutoffMillis) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT_ID)) {
      s.setString(1, id);
      s.setLong(2, cutoffMillis);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getLong(1) : -1;
      }
    }
  }

  /** The events after {@code position} still retained at {@code cutoffMillis}, in log order. */
  static List<StoredEvent> after(Connection c, long position, long cutoffMillis) throws SQLException {
    List<StoredEvent> events = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(SELECT_AFTER)) {
      s.setLong(1, position);
      s.setLong(2, cutoffMillis);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) events.add(RowCodec.read(r));
      }
    }
    return events;
  }

  /** Where a resume from an id starts: its oldest retained event's position, topics and private flag. */
  record Resume(long position, List<String> topics, boolean privateUpdate) {}

  /** The oldest retained event with {@code id} at {@code cutoffMillis}, or null. */
  static Resume resume(Connection c, String id, long cutoffMillis) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT_RESUME)) {
      s.setString(1, id);
      s.setLong(2, cutoffMillis);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? new Resume(r.getLong(1), RowCodec.topics(r.getString(2)), r.getInt(3) != 0) : null;
      }
    }
  }

  /**
   * Up to a page of the events after {@code position} still retained at {@code cutoffMillis}, in
   * log order: at most {@code maxEvents}, stopping before {@code maxBytes} ({@link ReplayRequest#sizeOf}; at least one
   * event). With {@code topics}, only events published to one of them: the rows of other topics are
   * never decoded, so a subscriber of one quiet topic does not load the whole history. Rows are
   * decoded as the cursor walks, so the page is all a read holds.
   */
  static Page page(Connection c, long position, long cutoffMillis, Set<String> topics, int maxEvents, long maxBytes)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS)
        .append(" FROM events WHERE position > ? AND timestamp_ms >= ?");
    if (topics != null) {
      sql.append(" AND EXISTS (SELECT 1 FROM json_each(events.topics) WHERE json_each.value IN (");
      for (int i = 0; i < topics.size(); i++) sql.append(i == 0 ? "?" : ", ?");
      sql.append("))");
    }
    sql.append(" ORDER BY position LIMIT ?");
    List<StoredEvent> events = new ArrayList<>();
    long bytes = 0;
    try (PreparedStatement s = c.prepareStatement(sql.toString())) {
      int p = 1;
      s.setLong(p++, position);
      s.setLong(p++, cutoffMillis);
      if (topics != null) {
        for (String t : topics) s.setString(p++, t);
      }
      s.setInt(p, maxEvents);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          StoredEvent e = RowCodec.read(r);
          if (!events.isEmpty() && bytes + ReplayRequest.sizeOf(e) > maxBytes) return new Page(events, true);
          events.add(e);
          bytes += ReplayRequest.sizeOf(e);
        }
      }
    }
    return new Page(events, events.size() == maxEvents);
  }

  /** A page of events, and whether it stopped at a bound (so more may follow). */
  record Page(List<StoredEvent> events, boolean more) {}

  /** Rows in the table, expired or not. */
  static long count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM events")) {
      return r.next() ? r.getLong(1) : 0;
    }
  }
}
