package dev.herald.redis.internal;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Events published with their own id. Stream ids must increase, so the publisher's id cannot be the
 * entry id: the entry keeps it as a field, and a key {@code <stream>:id:<own id>} maps it to the
 * entry id, for replays after it. One script adds the entry and records its id unless the key
 * already maps an earlier entry (an own id may repeat: a resume from it reads after its oldest
 * occurrence), atomically on the Redis side. The keys expire after the history's maximum age, which
 * bounds their number.
 */
public final class OwnIds {
  private static final String APPEND = String.join("\n",
      "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))",
      "redis.call('SET', KEYS[2], id, 'NX', 'PX', ARGV[2])",
      "return id");

  private OwnIds() {}

  /** The key mapping {@code ownId} to its entry id. */
  public static String indexKey(String streamKey, String ownId) {
    return streamKey + ":id:" + ownId;
  }

  /** XADD with an own id; the id's key keeps pointing at its oldest occurrence. */
  public static RedisFuture<String> append(RedisAsyncCommands<String, String> redis, String streamKey, String ownId,
      Duration keep, long maxEvents, Map<String, String> fields) {
    List<String> args = new ArrayList<>(3 + 2 * fields.size());
    args.add(ownId);
    args.add(Long.toString(keep.toMillis()));
    args.add(Long.toString(maxEvents));
    fields.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return redis.eval(APPEND, ScriptOutputType.VALUE, new String[] {streamKey, indexKey(streamKey, ownId)},
        args.toArray(String[]::new));
  }
}
