package dev.herald.server;

/**
 * Serves a route with a stream of its own per request, as in
 * {@code new EventSource('/api/send?message=hi')} where each request gets its own reply.
 */
@FunctionalInterface
public interface StreamHandler {
  /**
   * Called on an event-loop thread once the response headers are written: start the work and
   * return; send from any thread later. Throwing closes the stream.
   */
  void handle(StreamRequest request, EventStream stream) throws Exception;
}
