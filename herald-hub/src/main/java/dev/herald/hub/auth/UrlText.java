package dev.herald.hub.auth;

import java.net.URI;
import java.util.Locale;

/**
 * The two URL rules Mercure's URL Pattern matching adds to plain string matching, applied to
 * topics and to patterns alike: a relative value is resolved against the hub's URL, and the
 * scheme and host compare case-insensitively (RFC 3986 6.2.2.1). Both work on the text, not on
 * {@link URI}, because topics and patterns need not be valid URIs ({@code :id}, {@code *}).
 */
public final class UrlText {
  private UrlText() {}

  /**
   * {@code value} resolved against {@code base} if it is relative (has no scheme): {@code //host}
   * takes the base's scheme, {@code /path} its origin, {@code ?query} and {@code #fragment} its
   * path, anything else its directory. Dot segments are kept as written.
   */
  public static String resolve(URI base, String value) {
    if (schemeLength(value) > 0) return value;
    String b = base.toString();
    String origin = base.getScheme() + "://" + base.getRawAuthority();
    if (value.startsWith("//")) return base.getScheme() + ":" + value;
    if (value.startsWith("/")) return origin + value;
    String withoutFragment = cut(b, '#');
    if (value.startsWith("#")) return withoutFragment + value;
    String withoutQuery = cut(withoutFragment, '?');
    if (value.startsWith("?")) return withoutQuery + value;
    String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
    return origin + path.substring(0, path.lastIndexOf('/') + 1) + value;
  }

  /** The path of {@code url} ({@code scheme://authority/path?query}, or {@code scheme:path}), without query or fragment. */
  public static String path(String url) {
    int scheme = schemeLength(url);
    int start = scheme;
    if (url.startsWith("//", scheme)) {
      start = scheme + 2;
      while (start < url.length() && "/?#".indexOf(url.charAt(start)) < 0) start++;
    }
    int end = start;
    while (end < url.length() && "?#".indexOf(url.charAt(end)) < 0) end++;
    return url.substring(start, end);
  }

  /** {@code url} with its scheme and authority in lower case; the same instance if they already are. */
  static String lowerCaseOrigin(String url) {
    int scheme = schemeLength(url);
    if (scheme == 0) return url;
    int end = scheme;
    if (url.startsWith("//", scheme)) {
      end = scheme + 2;
      while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) end++;
    }
    for (int i = 0; i < end; i++) {
      char c = url.charAt(i);
      if (c >= 'A' && c <= 'Z') return url.substring(0, end).toLowerCase(Locale.ROOT) + url.substring(end);
    }
    return url;
  }

  /** The length of a leading {@code scheme:} (RFC 3986 3.1), colon included; 0 if there is none. */
  static int schemeLength(String s) {
    if (s.isEmpty() || !isAsciiLetter(s.charAt(0))) return 0;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ':') return i + 1;
      if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return 0;
    }
    return 0;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static String cut(String s, char at) {
    int i = s.indexOf(at);
    return i < 0 ? s : s.substring(0, i);
  }
}
