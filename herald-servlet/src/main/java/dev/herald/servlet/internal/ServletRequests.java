package dev.herald.servlet.internal;

import dev.herald.server.StreamRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a request as Herald's {@link StreamRequest}, validating what enters: the same rules as
 * Herald's own server. Public for the Spring starter's WebFlux handler, which applies them too.
 */
public final class ServletRequests {
  /** Longest {@code Last-Event-ID} accepted, as on Herald's own server. */
  public static final int MAX_LAST_EVENT_ID_BYTES = 1024;

  private ServletRequests() {}

  /**
   * The request as a stream request.
   *
   * @param path the path Herald sees (the servlet path and path info; the context path is the
   *     application's)
   * @throws IllegalArgumentException for a malformed {@code Last-Event-ID}: its message is the 400's
   */
  public static StreamRequest read(HttpServletRequest req, String path) {
    Map<String, List<String>> query = new HashMap<>();
    req.getParameterMap().forEach((name, values) -> query.put(name, List.of(values)));
    Map<String, List<String>> headers = new HashMap<>();
    for (String name : Collections.list(req.getHeaderNames())) {
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .addAll(Collections.list(req.getHeaders(name)));
    }
    headers.replaceAll((k, v) -> List.copyOf(v));
    return new StreamRequest(path, query, headers, lastEventId(req, query), req.getRemoteAddr() + ":" + req.getRemotePort());
  }

  private static Optional<String> lastEventId(HttpServletRequest req, Map<String, List<String>> query) {
    return lastEventId(req.getHeader("Last-Event-ID"), query);
  }

  /**
   * The id to resume after: the {@code Last-Event-ID} header as the server received it (ISO-8859-1,
   * one char per byte, as servlet containers and Netty hand header values over), else the
   * {@code lastEventID} (or {@code last_event_id}) query parameter.
   *
   * @throws IllegalArgumentException for an id too long or holding CR, LF, NUL or invalid UTF-8
   */
  public static Optional<String> lastEventId(String rawHeader, Map<String, List<String>> query) {
    String id;
    if (rawHeader != null) {
      id = new String(rawHeader.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    } else {
      List<String> q = query.get("lastEventID");
      if (q == null || q.isEmpty()) q = query.get("last_event_id");
      id = q == null || q.isEmpty() ? null : q.get(0);
    }
    if (id == null || id.isEmpty()) return Optional.empty();
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_LAST_EVENT_ID_BYTES) {
      throw new IllegalArgumentException("invalid Last-Event-ID: longer than " + MAX_LAST_EVENT_ID_BYTES + " bytes");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0' || c == '\uFFFD') {
        throw new IllegalArgumentException("invalid Last-Event-ID: it holds a control character or invalid UTF-8");
      }
    }
    return Optional.of(id);
  }

  /** True when {@code Accept} is absent or allows {@code text/event-stream} with q > 0. */
  public static boolean acceptsEventStream(String accept) {
    if (accept == null || accept.isBlank()) return true;
    for (String range : accept.split(",")) {
      String[] parts = range.trim().split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      if (!type.equals("text/event-stream") && !type.equals("text/*") && !type.equals("*/*")) continue;
      if (!zeroQuality(parts)) return true;
    }
    return false;
  }

  private static boolean zeroQuality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("q=")) {
        try {
          return Double.parseDouble(p.substring(2)) <= 0;
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }
}
