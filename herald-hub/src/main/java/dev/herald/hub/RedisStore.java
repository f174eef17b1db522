package dev.herald.hub;

import dev.herald.redis.RedisEventLog;
import dev.herald.server.EventLog;

/** The cluster store, kept in a class of its own so a hub without {@code --redis} never loads Lettuce. */
final class RedisStore {
  private RedisStore() {}

  static EventLog connect(HubSettings settings) {
    return RedisEventLog.connect(settings.redis(), RedisEventLog.Settings.defaults()
        .withMaxEvents(settings.historyMaxEvents())
        .withMaxAge(settings.historyMaxAge()));
  }

  static boolean ready(EventLog log) {
    return ((RedisEventLog) log).ready();
  }
}
