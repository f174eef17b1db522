/**
 * Herald's durable history: {@link dev.herald.sqlite.SqliteEventLog}, an
 * {@link dev.herald.server.EventLog} in one SQLite file with group commit. Only
 * {@code dev.herald.sqlite} is exported, and in it only the log itself is public.
 */
module dev.herald.sqlite {
  requires transitive dev.herald.server; // SqliteEventLog is an EventLog
  requires com.fasterxml.jackson.databind;
  requires java.sql;
  requires org.slf4j;
  requires org.xerial.sqlitejdbc;

  exports dev.herald.sqlite;
}
