package dev.herald.server;

/**
 * A broker's counters since it started.
 *
 * @param connections open event streams now
 * @param published events appended and broadcast
 * @param delivered event frames written to subscribers (one per subscriber per event, replays included)
 * @param slowConsumersClosed subscribers closed for falling behind
 * @param replayBytes bytes ({@link ReplayRequest#sizeOf}) the replays hold now (pages read and not yet written), within
 *     {@link Broker.Builder#maxReplayBytes}
 * @param replayBytesPeak the most bytes the replays held at once since the start
 * @param replaysWaiting resuming streams waiting for replay budget now
 */
public record BrokerStats(int connections, long published, long delivered, long slowConsumersClosed,
    long replayBytes, long replayBytesPeak, int replaysWaiting) {
  /** Counters of a broker with no replay under way and none since the start. */
  public BrokerStats(int connections, long published, long delivered, long slowConsumersClosed) {
    this(connections, published, delivered, slowConsumersClosed, 0, 0, 0);
  }
}
