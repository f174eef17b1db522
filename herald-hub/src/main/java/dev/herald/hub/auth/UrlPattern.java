package dev.herald.hub.auth;

import dev.herald.hub.auth.TopicRegex.CharSet;
import dev.herald.hub.auth.TopicRegex.Literal;
import dev.herald.hub.auth.TopicRegex.Node;
import dev.herald.hub.auth.TopicRegex.OneOf;
import dev.herald.hub.auth.TopicRegex.Sequence;
import dev.herald.hub.auth.TopicRegex.ZeroOrMore;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of the WHATWG URL Pattern syntax that Mercure 1.0 topic patterns use in practice,
 * matched against the whole topic string:
 *
 * <ul>
 *   <li>{@code :name} (a letter, {@code _} or {@code $}, then letters, digits, {@code _}, {@code $})
 *       matches one or more characters other than {@code /}, {@code ?} and {@code #}: one path
 *       segment;
 *   <li>{@code *} matches any run of characters, {@code /} included, possibly empty;
 *   <li>{@code \} makes the next character literal ({@code \:}, {@code \*});
 *   <li>everything else matches itself, case-sensitively; a leading scheme's colon
 *       ({@code https:}, {@code urn:}) is literal.
 * </ul>
 *
 * <p>Not supported, and rejected with {@link IllegalArgumentException} rather than silently
 * misread: regular-expression groups {@code (...)}, {@code {...}} groups, and the modifiers
 * {@code ?}, {@code +}, {@code *} directly after a {@code :name}.
 *
 * <p>The scheme and host compare case-insensitively: both the pattern's and the topic's are
 * lower-cased before matching ({@link UrlText#lowerCaseOrigin}). Relative patterns and topics are
 * resolved against the hub's URL by {@link MercureSelector#against}, which knows it.
 */
final class UrlPattern {
  private static final CharSet SEGMENT = CharSet.allExcept("/?#");
  private static final CharSet ANY = CharSet.allExcept("");

  private UrlPattern() {}

  static CompiledPattern compile(String written) {
    String pattern = UrlText.lowerCaseOrigin(written);
    List<Node> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    String prefix = null;
    int i = UrlText.schemeLength(pattern);
    literal.append(pattern, 0, i);
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        if (i + 1 == pattern.length()) throw error(pattern, i, "'\\' at the end escapes nothing");
        literal.append(pattern.charAt(i + 1));
        i += 2;
      } else if (c == ':' && i + 1 < pattern.length() && isNameStart(pattern.charAt(i + 1))) {
        int end = i + 2;
        while (end < pattern.length() && isNamePart(pattern.charAt(end))) end++;
        if (end < pattern.length() && "?+*".indexOf(pattern.charAt(end)) >= 0) {
          throw error(pattern, end, "modifiers after a named group are not supported; escape it as '\\"
              + pattern.charAt(end) + "' to match it literally");
        }
        if (prefix == null) prefix = literal.toString();
        flush(literal, parts);
        parts.add(Sequence.of(new OneOf(SEGMENT), new ZeroOrMore(new OneOf(SEGMENT))));
        i = end;
      } else if (c == '*') {
        if (prefix == null) prefix = literal.toString();
        flush(literal, parts);
        parts.add(new ZeroOrMore(new OneOf(ANY)));
        i++;
      } else if ("(){}".indexOf(c) >= 0) {
        throw error(pattern, i, "'" + c + "' groups are not supported; escape it as '\\" + c + "'");
      } else {
        literal.append(c);
        i++;
      }
    }
    if (prefix == null) prefix = literal.toString();
    flush(literal, parts);
    return new CompiledPattern(TopicRegex.compile(new Sequence(parts)), prefix);
  }

  private static void flush(StringBuilder literal, List<Node> parts) {
    if (literal.length() > 0) parts.add(new Literal(literal.toString()));
    literal.setLength(0);
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  private static IllegalArgumentException error(String pattern, int index, String problem) {
    return new IllegalArgumentException(
        "invalid URL pattern " + TopicText.quote(pattern) + " at index " + index + ": " + problem);
  }
}
