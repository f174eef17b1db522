package dev.herald.hub.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the token a request presents. One token is chosen, by this precedence (Mercure's, which
 * says the others MUST then be ignored):
 *
 * <ol>
 *   <li>the {@code Authorization: Bearer <token>} header;
 *   <li>only when {@linkplain #withQueryParameter enabled}: the {@code authorization} query
 *       parameter (Mercure 0.x) or {@code access_token} (RFC 6750);
 *   <li>a cookie: {@code mercureAuthorization} (0.x), then {@code __Secure-mercure_access_token}
 *       (1.0), or the names {@linkplain #withCookieNames configured}.
 * </ol>
 *
 * <p>The query parameter is off by default: a token in a URL ends up in access logs, proxy logs,
 * browser history and {@code Referer} headers. Browsers' {@code EventSource} cannot set headers,
 * which is what the cookie is for.
 *
 * <p>Header names are compared case-insensitively. Immutable and thread-safe.
 */
public final class TokenExtractor {
  /** Mercure 0.x's cookie, then 1.0's ({@code __Secure-} requires HTTPS in browsers). */
  public static final List<String> DEFAULT_COOKIE_NAMES =
      List.of("mercureAuthorization", "__Secure-mercure_access_token");

  /** The query parameters read when enabled: Mercure 0.x's, then RFC 6750's. */
  public static final List<String> QUERY_PARAMETERS = List.of("authorization", "access_token");

  /** Where a token came from. */
  public enum Source {
    AUTHORIZATION_HEADER,
    QUERY_PARAMETER,
    COOKIE
  }

  /**
   * A token as presented.
   *
   * @param value the compact JWS
   * @param source where it was found
   * @param name the header, parameter or cookie name
   */
  public record Token(String value, Source source, String name) {
    public Token {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(name, "name");
    }

    /** Never prints the token itself, so a logged {@code Token} leaks nothing. */
    @Override
    public String toString() {
      return "Token[" + source + " " + name + ", " + value.length() + " chars]";
    }
  }

  private static final TokenExtractor DEFAULTS = new TokenExtractor(DEFAULT_COOKIE_NAMES, false);

  private final List<String> cookieNames;
  private final boolean queryParameter;

  private TokenExtractor(List<String> cookieNames, boolean queryParameter) {
    this.cookieNames = List.copyOf(cookieNames);
    this.queryParameter = queryParameter;
  }

  /** The default cookies, query parameter off. */
  public static TokenExtractor defaults() {
    return DEFAULTS;
  }

  /**
   * This extractor reading these cookies, in this order. Browsers only keep {@code __Secure-}
   * cookies over HTTPS, so a plain-HTTP setup needs a name without that prefix.
   */
  public TokenExtractor withCookieNames(List<String> names) {
    for (String name : names) {
      if (name.isEmpty() || name.chars().anyMatch(TokenExtractor::notTokenChar)) {
        throw new IllegalArgumentException("invalid cookie name " + TopicText.quote(name));
      }
    }
    return new TokenExtractor(names, queryParameter);
  }

  /** This extractor with the query parameter accepted or not (see the class comment for why it is off). */
  public TokenExtractor withQueryParameter(boolean enabled) {
    return new TokenExtractor(cookieNames, enabled);
  }

  public boolean queryParameterEnabled() {
    return queryParameter;
  }

  public List<String> cookieNames() {
    return cookieNames;
  }

  /**
   * The request's token, or empty if it presents none.
   *
   * @param headers request headers, names in any case
   * @param query decoded query parameters
   * @throws AuthException if an {@code Authorization} header is present but is not a single
   *     {@code Bearer} credential (falling back to a cookie then would hide the mistake)
   */
  public Optional<Token> extract(Map<String, List<String>> headers, Map<String, List<String>> query) {
    List<String> authorization = header(headers, "authorization");
    if (!authorization.isEmpty()) return Optional.of(bearer(authorization));
    if (queryParameter) {
      for (String name : QUERY_PARAMETERS) {
        List<String> values = query.getOrDefault(name, List.of());
        if (values.size() > 1) throw new AuthException(AuthException.Kind.INVALID_REQUEST, "several " + name + " query parameters");
        if (values.size() == 1) {
          if (values.get(0).isEmpty()) throw new AuthException(AuthException.Kind.INVALID_REQUEST, "empty token");
          return Optional.of(new Token(values.get(0), Source.QUERY_PARAMETER, name));
        }
      }
    }
    List<String> cookieHeaders = header(headers, "cookie");
    if (!cookieHeaders.isEmpty()) {
      // HTTP/2 may split cookies over several header fields; they join with "; " (RFC 9113 8.2.3).
      String cookies = String.join("; ", cookieHeaders);
      for (String name : cookieNames) {
        Optional<String> value = cookie(cookies, name);
        if (value.isPresent() && !value.get().isEmpty()) {
          return Optional.of(new Token(value.get(), Source.COOKIE, name));
        }
      }
    }
    return Optional.empty();
  }

  private static Token bearer(List<String> values) {
    if (values.size() > 1) throw new AuthException(AuthException.Kind.INVALID_REQUEST, "several Authorization headers");
    String value = values.get(0).strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
      throw new AuthException(AuthException.Kind.INVALID_REQUEST, "the Authorization header must use the Bearer scheme");
    }
    String token = value.substring(space + 1).strip();
    if (token.isEmpty()) throw new AuthException(AuthException.Kind.INVALID_REQUEST, "empty token");
    return new Token(token, Source.AUTHORIZATION_HEADER, "Authorization");
  }

  /**
   * The value of the first cookie called {@code name} in a {@code Cookie} header ({@code a=1; b=2}),
   * without surrounding double quotes. Browsers send the cookie with the longest path first, so the
   * first one is the most specific.
   */
  static Optional<String> cookie(String header, String name) {
    int i = 0;
    while (i < header.length()) {
      int end = header.indexOf(';', i);
      if (end < 0) end = header.length();
      int eq = header.indexOf('=', i);
      if (eq > i && eq < end && header.substring(i, eq).strip().equals(name)) {
        String value = header.substring(eq + 1, end).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return Optional.of(value);
      }
      i = end + 1;
    }
    return Optional.empty();
  }

  // RFC 9110 token characters: a cookie name is a token.
  private static boolean notTokenChar(int c) {
    return c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0;
  }

  private static List<String> header(Map<String, List<String>> headers, String name) {
    List<String> exact = headers.get(name);
    if (exact != null) return exact;
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) values.addAll(e.getValue());
    }
    return values;
  }
}
