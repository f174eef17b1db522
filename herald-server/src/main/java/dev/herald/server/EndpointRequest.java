package dev.herald.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A plain HTTP request for an {@link HttpEndpoint}. Immutable.
 *
 * @param method the method, upper case
 * @param path the decoded path, without the query
 * @param query decoded query parameters, each name mapped to its values in order
 * @param headers headers, names in lower case, each mapped to its values
 * @param body the request body (bounded by the server's request body limit)
 * @param remoteAddress the peer, for logs
 */
public record EndpointRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    byte[] body,
    String remoteAddress) {

  public EndpointRequest {
    query = Map.copyOf(query);
    headers = Map.copyOf(headers);
  }

  /** The first value of header {@code name} (case-insensitive). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The first value of query parameter {@code name}. */
  public Optional<String> queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The body decoded as {@code application/x-www-form-urlencoded}: each field name mapped to its
   * values in order. Strict: a bad percent-escape, an escape cut short or bytes that are not UTF-8
   * throw {@link IllegalArgumentException} with a one-line message naming the field (for a 400).
   */
  public Map<String, List<String>> form() {
    return FormBody.decode(body);
  }

  /** The body decoded as UTF-8. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
