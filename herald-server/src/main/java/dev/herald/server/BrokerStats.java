package dev.herald.server;

/**
 * A broker's counters since it started.
 *
 * @param connections open event streams now
 * @param published events appended and broadcast
 * @param delivered event frames written to subscribers (one per subscriber per event, replays included)
 * @param slowConsumersClosed subscribers closed for falling behind
 */
public record BrokerStats(int connections, long published, long delivered, long slowConsumersClosed) {}
