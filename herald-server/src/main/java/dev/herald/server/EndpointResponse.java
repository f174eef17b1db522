package dev.herald.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The answer of an {@link HttpEndpoint}. Immutable.
 *
 * @param status the HTTP status code
 * @param headers response headers (the server adds {@code content-length})
 * @param body the body
 */
public record EndpointResponse(int status, Map<String, String> headers, byte[] body) {
  public EndpointResponse {
    headers = Map.copyOf(headers);
  }

  /** A {@code text/plain; charset=utf-8} response; a line break is added to the message. */
  public static EndpointResponse text(int status, String message) {
    return of(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A response with a body of the given content type. */
  public static EndpointResponse of(int status, String contentType, byte[] body) {
    return new EndpointResponse(status, Map.of("content-type", contentType), body);
  }

  /** This response with one more header. */
  public EndpointResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name.toLowerCase(Locale.ROOT), value);
    return new EndpointResponse(status, h, body);
  }
}
