package dev.herald.server;

import java.util.List;

/**
 * Observes a broker so a host application can log and measure. Methods are called on Herald's
 * event-loop or publishing threads: return quickly and never block.
 *
 * <p>The requests given here have no headers ({@link StreamRequest#withoutHeaders()}: an open
 * stream does not keep them). What a listener needs of a header, it records when the stream is
 * accepted, in its {@link TopicSelector} or {@link StreamHandler#check}.
 */
public interface BrokerListener {
  /** A subscriber connected; {@code request} is what it asked for, without its headers. */
  default void onConnect(StreamRequest request) {}

  /** A connection ended; {@code reason} says why (for example {@code "peer closed"}). */
  default void onDisconnect(StreamRequest request, String reason) {}

  /** An event was appended to the log and is being broadcast. */
  default void onPublish(String id, List<String> topics) {}

  /** A subscriber was closed because it did not read fast enough. */
  default void onSlowConsumerClosed(StreamRequest request, long pendingBytes) {}
}
