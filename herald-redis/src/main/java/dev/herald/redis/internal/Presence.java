package dev.herald.redis.internal;

import dev.herald.redis.ClusterCounts;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;

/**
 * Each node's counts in one Redis hash, {@code <stream>:nodes}: field = node id, value =
 * {@code "<deadline ms> <connections> <subscriptions>"}. A report writes this node's entry and
 * reads every live one in one script, so the sum is always of one moment; deadlines are on Redis's
 * clock, so nodes' clocks do not matter, and an entry past its deadline (a node killed without
 * saying goodbye) is dropped by the next report of any node.
 */
public final class Presence {
  private static final String REPORT = String.join("\n",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
      "redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[2])) .. ' ' .. ARGV[3])",
      // The hash itself goes once every node stopped reporting.
      "redis.call('PEXPIRE', KEYS[1], ARGV[2])",
      "local all = redis.call('HGETALL', KEYS[1])",
      "local live = {}",
      "for i = 1, #all, 2 do",
      "  local deadline, counts = string.match(all[i + 1], '^(%d+) (.*)$')",
      "  if deadline == nil or tonumber(deadline) < now then",
      "    redis.call('HDEL', KEYS[1], all[i])",
      "  else",
      "    table.insert(live, counts)",
      "  end",
      "end",
      "return live");

  private Presence() {}

  /** The hash holding every node's entry. */
  public static String key(String streamKey) {
    return streamKey + ":nodes";
  }

  /**
   * Writes this node's counts, kept for {@code ttl}, and returns every live node's
   * {@code "<connections> <subscriptions>"}, this node's included.
   */
  public static RedisFuture<List<String>> report(RedisAsyncCommands<String, String> redis, String streamKey,
      String node, Duration ttl, long connections, long subscriptions) {
    return redis.eval(REPORT, ScriptOutputType.MULTI, new String[] {key(streamKey)},
        node, Long.toString(ttl.toMillis()), connections + " " + subscriptions);
  }

  /** Removes this node's entry: a node that stops leaves the sum at once. */
  public static RedisFuture<Long> leave(RedisAsyncCommands<String, String> redis, String streamKey, String node) {
    return redis.hdel(key(streamKey), node);
  }

  /** Sums the entries {@link #report} returned; skips malformed ones. */
  public static ClusterCounts sum(List<String> live) {
    long connections = 0;
    long subscriptions = 0;
    int nodes = 0;
    for (String entry : live) {
      int space = entry.indexOf(' ');
      if (space <= 0) continue;
      try {
        connections += Math.max(0, Long.parseLong(entry, 0, space, 10));
        subscriptions += Math.max(0, Long.parseLong(entry, space + 1, entry.length(), 10));
        nodes++;
      } catch (NumberFormatException e) {
        // another version's format: not counted
      }
    }
    return new ClusterCounts(nodes, connections, subscriptions);
  }
}
