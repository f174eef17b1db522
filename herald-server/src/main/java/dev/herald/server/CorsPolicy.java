package dev.herald.server;

import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which web origins may open streams from a browser. Immutable.
 *
 * <p>A request from an allowed origin gets {@code Access-Control-Allow-Origin} echoing that origin
 * (or {@code *} for {@link #anyOrigin()}), plus {@code Access-Control-Allow-Credentials: true} when
 * credentials are allowed, so {@code new EventSource(url, {withCredentials: true})} works with
 * cookies. A request from another origin is refused with {@code 403}. Preflights are answered,
 * allowing {@code Last-Event-ID} and {@code Authorization}.
 */
public final class CorsPolicy {
  /** How long browsers may cache a preflight answer. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  private final Set<String> origins; // lower case; empty with any = true
  private final boolean any;
  private final boolean allowCredentials;

  private CorsPolicy(Set<String> origins, boolean any, boolean allowCredentials) {
    this.origins = origins;
    this.any = any;
    this.allowCredentials = allowCredentials;
  }

  /** Same-origin only: cross-origin requests are refused. The default. */
  public static CorsPolicy sameOrigin() {
    return new CorsPolicy(Set.of(), false, false);
  }

  /** Any origin, answered with {@code *}; credentials are never allowed with it. */
  public static CorsPolicy anyOrigin() {
    return new CorsPolicy(Set.of(), true, false);
  }

  /** Exactly these origins (scheme, host and port, as browsers send them: {@code https://app.example}). */
  public static CorsPolicy allowOrigins(String... origins) {
    Set<String> set = new HashSet<>();
    for (String o : origins) {
      if (o.isEmpty() || o.endsWith("/") || o.contains("*")) {
        throw new IllegalArgumentException("origin must be scheme://host[:port], without path or wildcard: " + o);
      }
      set.add(o.toLowerCase(Locale.ROOT));
    }
    return new CorsPolicy(Set.copyOf(set), false, false);
  }

  /** This policy with credentials (cookies) allowed; not possible with {@link #anyOrigin()}. */
  public CorsPolicy withCredentials() {
    if (any) throw new IllegalStateException("credentials cannot be allowed for any origin ('*')");
    return new CorsPolicy(origins, false, true);
  }

  /** Whether a request carrying {@code Origin: origin} may be served. */
  public boolean allows(String origin) {
    return any || origins.contains(origin.toLowerCase(Locale.ROOT));
  }

  /** The value of {@code Access-Control-Allow-Origin} for an allowed origin. */
  public String allowOriginValue(String origin) {
    return any ? "*" : origin;
  }

  public boolean allowsCredentials() {
    return allowCredentials;
  }

  @Override
  public String toString() {
    return any ? "CorsPolicy{*}" : "CorsPolicy{" + origins + (allowCredentials ? ", credentials" : "") + "}";
  }
}
