package dev.herald.spring;

import dev.herald.server.TopicSelector;
import java.util.Objects;

/**
 * A topic stream endpoint of the application's own, beside {@code herald.path}: declare one as a
 * bean and the starter serves it on MVC and WebFlux alike.
 *
 * <pre>{@code
 * @Bean HeraldStream replies() {
 *   return new HeraldStream("/api/send", request -> Subscription.of("reply/" + request.queryParam("id").orElseThrow()));
 * }
 * }</pre>
 *
 * @param path the request path, starting with {@code /}
 * @param selector what a request follows; its refusals become 400, 403 or its own status
 */
public record HeraldStream(String path, TopicSelector selector) {
  public HeraldStream {
    Objects.requireNonNull(selector, "selector");
    if (path == null || !path.startsWith("/")) throw new IllegalArgumentException("path must start with /: " + path);
  }
}
