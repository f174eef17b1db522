package dev.herald.server;

import java.util.concurrent.CompletionStage;

/**
 * Serves plain HTTP requests next to the event streams, on the same port: a publish API, health
 * checks, metrics, static pages. Register with {@link HeraldServer.Builder#endpoint}.
 */
@FunctionalInterface
public interface HttpEndpoint {
  /**
   * Answers one request. Called on an event-loop thread: return quickly, completing the stage
   * later for slow work. A stage that fails, or a thrown exception, becomes a {@code 500}.
   */
  CompletionStage<EndpointResponse> handle(EndpointRequest request) throws Exception;
}
