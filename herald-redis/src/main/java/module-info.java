/**
 * Herald's cluster mode: {@link dev.herald.redis.RedisEventLog}, an
 * {@link dev.herald.server.EventLog} on one Redis stream. Only {@code dev.herald.redis} is
 * exported; {@code dev.herald.redis.internal} is not.
 */
module dev.herald.redis {
  requires transitive dev.herald.server; // RedisEventLog is an EventLog
  // RedisEventLog.connect accepts a RedisURI. Lettuce is an automatic module (its manifest names
  // it lettuce.core), hence javac's requires-transitive-automatic warning.
  requires transitive lettuce.core;
  requires org.slf4j;

  exports dev.herald.redis;
}
