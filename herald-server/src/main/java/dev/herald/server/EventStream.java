package dev.herald.server;

import dev.herald.protocol.Event;
import java.util.concurrent.CompletionStage;

/**
 * One client's own event stream, handed to a {@link StreamHandler}: the reply stream of one
 * request. The same encoding, heartbeat, back-pressure and slow-consumer rules apply as for topic
 * subscribers.
 *
 * <p>Thread-safe: send from any thread; events go out in the order {@code send} was called.
 */
public interface EventStream {
  /**
   * Sends one event.
   *
   * @return completes once the bytes are written to the connection; fails if the stream is closed
   *     or the client is too slow (its buffered bytes passed the outbound limit, which closes it)
   */
  CompletionStage<Void> send(Event event);

  /** Ends the stream cleanly; a browser's EventSource will reconnect unless told otherwise. */
  void complete();

  /** Whether the connection is still open. */
  boolean isOpen();

  /** Runs {@code callback} once when the stream closes, for any reason (on an event-loop thread). */
  void onClose(Runnable callback);

  /**
   * The request that opened this stream, without its headers (a stream does not keep them): a
   * handler that needs a header reads it from the request {@link StreamHandler#handle} is given.
   */
  StreamRequest request();
}
