package dev.herald.redis;

import dev.herald.redis.internal.StreamIds;

/** The Redis stream entry behind an id the log assigned ({@code #<ms>-<seq>}), for tests that reach into the stream. */
final class EntryIds {
  private EntryIds() {}

  /** The entry id ({@code <ms>-<seq>}) of an assigned event id. */
  static String entry(String eventId) {
    String entry = StreamIds.entryIdOf(eventId);
    if (entry == null || !eventId.startsWith("#")) throw new IllegalArgumentException("not an assigned id: " + eventId);
    return entry;
  }

  /** The log position of an assigned event id. */
  static long position(String eventId) {
    return StreamIds.position(entry(eventId));
  }
}
