package dev.herald.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.protocol.Event;
import dev.herald.server.StoredEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * One event as one row of {@code events}, in {@link EventTable#COLUMNS} order. Everything needed
 * to rebuild the event exactly is kept: id, type, data, retry (ISO-8601, so sub-millisecond values
 * survive), comments, topics, the private flag, the timestamp and the position.
 */
final class RowCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private RowCodec() {}

  /** Binds {@code e} to the parameters 1..9 of an insert. */
  static void bind(PreparedStatement insert, StoredEvent e) throws SQLException {
    Event event = e.event();
    insert.setLong(1, e.position());
    insert.setString(2, e.id());
    insert.setString(3, json(e.topics()));
    setNullable(insert, 4, event.type());
    setNullable(insert, 5, event.data());
    setNullable(insert, 6, event.retry() == null ? null : event.retry().toString());
    setNullable(insert, 7, event.comments().isEmpty() ? null : json(event.comments()));
    insert.setInt(8, e.privateUpdate() ? 1 : 0);
    insert.setLong(9, e.timestampMillis());
  }

  /** The event in the current row of {@code rows}. */
  static StoredEvent read(ResultSet rows) throws SQLException {
    long position = rows.getLong(1);
    String id = rows.getString(2);
    try {
      Event.Builder event = Event.builder().id(id).type(rows.getString(4)).data(rows.getString(5));
      String retry = rows.getString(6);
      if (retry != null) event.retry(Duration.parse(retry));
      String comments = rows.getString(7);
      if (comments != null) {
        for (String comment : JSON.readValue(comments, STRINGS)) event.comment(comment);
      }
      List<String> topics = JSON.readValue(rows.getString(3), STRINGS);
      return StoredEvent.of(id, position, topics, event.build(), rows.getLong(9), rows.getInt(8) != 0);
    } catch (JsonProcessingException | DateTimeParseException | IllegalArgumentException e) {
      throw new SQLException("unreadable event row at position " + position + " (id " + id + ")", e);
    }
  }

  /** The topics column. */
  static List<String> topics(String json) throws SQLException {
    try {
      return JSON.readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable topics in an event row: " + json, e);
    }
  }

  private static String json(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of strings is always JSON", e);
    }
  }

  private static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }
}
