package dev.herald.server;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The request that opened an event stream, as a handler or a topic selector sees it. Immutable.
 *
 * <p>Headers are for deciding whether and how to serve the stream: a {@link TopicSelector}, a
 * {@link StreamHandler}'s {@code check} and {@code handle} get them. An open stream keeps only
 * {@link #withoutHeaders()} (an idle stream costs memory for as long as it stays open), so
 * {@link EventStream#request()} and a {@link BrokerListener}'s callbacks see no headers: read
 * what a stream needs later when it is accepted, and record it.
 *
 * @param path the decoded request path, without the query
 * @param query the decoded query parameters, each name mapped to its values in order
 * @param headers request headers, names in lower case, each mapped to its values
 * @param lastEventId the id to resume after: the {@code Last-Event-ID} header, or else the
 *     {@code lastEventID} query parameter; empty when the client starts fresh
 * @param remoteAddress the peer's address, for logs
 */
public record StreamRequest(
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    Optional<String> lastEventId,
    String remoteAddress) {

  public StreamRequest {
    query = Map.copyOf(query);
    headers = Map.copyOf(headers);
  }

  /**
   * This request with no headers, the rest shared: what an open stream keeps of it. This request
   * itself if it has none.
   */
  public StreamRequest withoutHeaders() {
    return headers.isEmpty() ? this : new StreamRequest(path, query, Map.of(), lastEventId, remoteAddress);
  }

  /** The first value of query parameter {@code name}. */
  public Optional<String> queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every value of query parameter {@code name}, possibly none. */
  public List<String> queryParams(String name) {
    return query.getOrDefault(name, List.of());
  }

  /** The first value of header {@code name} (case-insensitive). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
