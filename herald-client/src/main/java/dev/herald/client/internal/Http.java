package dev.herald.client.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** Header and URL rules of the EventSource and Fetch standards. */
final class Http {
  private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

  private Http() {}

  /**
   * Whether a {@code Content-Type} has the MIME essence {@code text/event-stream}: type and
   * subtype compared case-insensitively, parameters ignored (even a bare trailing {@code ;});
   * missing or unparsable is false.
   */
  static boolean isEventStream(Optional<String> contentType) {
    if (contentType.isEmpty()) return false;
    String value = contentType.get();
    int semicolon = value.indexOf(';');
    String essence = (semicolon < 0 ? value : value.substring(0, semicolon)).strip();
    int slash = essence.indexOf('/');
    if (slash <= 0 || slash == essence.length() - 1) return false;
    String type = essence.substring(0, slash);
    String subtype = essence.substring(slash + 1);
    if (!isToken(type) || !isToken(subtype)) return false;
    return type.equalsIgnoreCase("text") && subtype.equalsIgnoreCase("event-stream");
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || TOKEN_CHARS.indexOf(c) >= 0;
      if (!ok) return false;
    }
    return !s.isEmpty();
  }

  /** The serialized origin of a URL: {@code scheme://host}, plus {@code :port} if not default. */
  static String origin(URI url) {
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost().toLowerCase(Locale.ROOT);
    int port = url.getPort();
    boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
        || (scheme.equals("https") && port == 443);
    return scheme + "://" + host + (defaultPort ? "" : ":" + port);
  }

  static boolean sameOrigin(URI a, URI b) {
    return origin(a).equals(origin(b));
  }

  static boolean isHttp(URI url) {
    String scheme = url.getScheme();
    return url.isAbsolute() && url.getHost() != null
        && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
  }

  /**
   * A {@code Last-Event-ID} value whose bytes on the wire are the id's UTF-8 bytes: the JDK writes
   * header characters as ISO-8859-1, one byte each, so each UTF-8 byte becomes one character.
   */
  static String utf8AsLatin1(String value) {
    return new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /**
   * The delay a {@code Retry-After} header asks for: delta-seconds or an HTTP date; null when
   * absent or invalid. Never negative.
   */
  static Duration retryAfter(Optional<String> header, Instant now) {
    if (header.isEmpty()) return null;
    String value = header.get().strip();
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (value.length() > 12) return Duration.ofSeconds(999_999_999_999L); // clamped later
      return Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
