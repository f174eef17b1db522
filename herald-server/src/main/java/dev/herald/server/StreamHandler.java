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

  /**
   * Called on an event-loop thread before anything is written, to refuse a request with a status
   * instead of opening its stream: {@link IllegalArgumentException} answers {@code 400},
   * {@link SecurityException} {@code 403}, {@link StreamRefusedException} its own status and
   * headers, each with the exception's message as the body. By default every request is accepted.
   */
  default void check(StreamRequest request) {}
}
