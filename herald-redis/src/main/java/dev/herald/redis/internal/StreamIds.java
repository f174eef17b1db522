package dev.herald.redis.internal;

import dev.herald.server.EventLog;

/**
 * Redis stream entry ids ({@code <ms>-<seq>}) and the log positions derived from them.
 *
 * <p>A position is {@code ms << 20 | seq}: strictly increasing with the stream order as long as
 * {@code seq < 2^20} (1,048,576 entries in one millisecond of the Redis clock) and
 * {@code ms < 2^43} (until the year 2248).
 */
public final class StreamIds {
  /** Bits of the position that hold the sequence number. */
  public static final int SEQ_BITS = 20;
  /** The largest sequence number a position can hold. */
  public static final long MAX_SEQ = (1L << SEQ_BITS) - 1;

  private StreamIds() {}

  /** Whether {@code id} has the shape of a stream entry id, {@code <ms>-<seq>}. */
  public static boolean isStreamId(String id) {
    int dash = id.indexOf('-');
    if (dash <= 0 || dash == id.length() - 1 || dash > 19 || id.length() - dash - 1 > 19) return false;
    for (int i = 0; i < id.length(); i++) {
      if (i != dash && (id.charAt(i) < '0' || id.charAt(i) > '9')) return false;
    }
    return true;
  }

  /**
   * The stream entry id a client's {@code Last-Event-ID} names, or null for a publisher's own id:
   * {@code #<ms>-<seq>} as the log assigns them, or {@code <ms>-<seq>} as it assigned them before
   * ids carried the mark.
   */
  public static String entryIdOf(String lastEventId) {
    String bare = lastEventId.startsWith(EventLog.ASSIGNED_ID_MARK)
        ? lastEventId.substring(EventLog.ASSIGNED_ID_MARK.length()) : lastEventId;
    return isStreamId(bare) ? bare : null;
  }

  /** The millisecond part of a stream id (Redis's clock when the entry was added). */
  public static long millis(String id) {
    return Long.parseLong(id, 0, id.indexOf('-'), 10);
  }

  /**
   * The log position of a stream id.
   *
   * @throws IllegalArgumentException if the id is beyond the bounds a position can hold
   */
  public static long position(String id) {
    int dash = id.indexOf('-');
    long ms = Long.parseLong(id, 0, dash, 10);
    long seq = Long.parseLong(id, dash + 1, id.length(), 10);
    if (seq > MAX_SEQ || ms >= (1L << (63 - SEQ_BITS))) {
      throw new IllegalArgumentException("stream id out of the position range: " + id);
    }
    return ms << SEQ_BITS | seq;
  }

  /** The stream id of a log {@link #position}. */
  public static String id(long position) {
    return (position >>> SEQ_BITS) + "-" + (position & MAX_SEQ);
  }
}
