package dev.herald.server.internal;

import dev.herald.server.CorsPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;

/** CORS response headers for a {@link CorsPolicy}. */
final class Cors {
  private static final String ALLOWED_HEADERS = "last-event-id, authorization, cache-control, content-type, accept";

  private Cors() {}

  /** Whether {@code origin} (scheme://host[:port]) names the host the request was sent to. */
  static boolean sameOrigin(String origin, String authority) {
    if (authority == null) return false;
    int scheme = origin.indexOf("://");
    if (scheme < 0) return false; // "null" and other opaque origins are never same-origin
    String host = origin.substring(scheme + 3).toLowerCase(Locale.ROOT);
    String a = authority.toLowerCase(Locale.ROOT);
    if (host.equals(a)) return true;
    String defaultPort = origin.startsWith("https") ? ":443" : ":80";
    return host.equals(a + defaultPort) || (host + defaultPort).equals(a);
  }

  static void addAllowHeaders(HttpHeaders h, CorsPolicy policy, String origin) {
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, policy.allowOriginValue(origin));
    if (policy.allowsCredentials()) h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    h.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
  }

  /** The stream response's own headers a cross-origin script may read: the resume headers and the configured ones. */
  static String exposedStreamHeaders(ServerConfig config) {
    StringBuilder names = new StringBuilder("last-event-id");
    for (String name : config.resumeHeaders()) names.append(", ").append(name);
    for (String name : config.streamHeaders().keySet()) names.append(", ").append(name);
    return names.toString();
  }

  static void addPreflightHeaders(HttpHeaders h, CorsPolicy policy, String origin, String requestedHeaders) {
    addAllowHeaders(h, policy, origin);
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
    // Echo what was asked (browsers ask for last-event-id on long or unusual ids) on top of ours.
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
        requestedHeaders == null || requestedHeaders.isBlank() ? ALLOWED_HEADERS : requestedHeaders);
    h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, Long.toString(CorsPolicy.DEFAULT_MAX_AGE.toSeconds()));
  }
}
