package dev.herald.hub.auth;

import dev.herald.hub.auth.TopicRegex.CharSet;
import dev.herald.hub.auth.TopicRegex.Either;
import dev.herald.hub.auth.TopicRegex.Literal;
import dev.herald.hub.auth.TopicRegex.Node;
import dev.herald.hub.auth.TopicRegex.OneOf;
import dev.herald.hub.auth.TopicRegex.Sequence;
import dev.herald.hub.auth.TopicRegex.ZeroOrMore;
import dev.herald.hub.auth.TopicRegex.ZeroOrOne;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an RFC 6570 URI template (levels 1 to 4) and turns it into a matcher the way the Mercure
 * reference hub does (it calls {@code Regexp()} of github.com/yosida95/uritemplate):
 *
 * <ul>
 *   <li>literals match themselves;
 *   <li>each expression is optional as a whole and matches its operator's prefix ({@code #} for
 *       {@code {#x}}, {@code /}, {@code .}, {@code ;}, {@code ?}, {@code &}) followed by a run of
 *       zero or more allowed characters, then up to {@code n - 1} more runs introduced by the
 *       operator's separator for {@code n} variables, or any number of them when a variable is
 *       exploded ({@code *});
 *   <li>allowed characters are the unreserved set ({@code A-Z a-z 0-9 - . _ ~}), percent-encoded
 *       triplets, {@code ,} and, for the named operators {@code ; ? &} or an exploded first
 *       variable, {@code =}; {@code {+x}} and {@code {#x}} also allow every reserved character
 *       ({@code :/?#[]@!$&'()*+,;=}), so they cross slashes.
 * </ul>
 *
 * <p>So {@code https://example.com/books/{id}} matches {@code .../books/1} and (the expression
 * being optional) {@code .../books/}, but not {@code .../books/1/reviews}. Prefix modifiers
 * ({@code {x:3}}) are accepted and, as in the reference hub, do not limit the match.
 */
final class UriTemplate {
  private static final String UNRESERVED_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  private static final String RESERVED_CHARS = ":/?#[]@!$&'()*+,;=";
  private static final CharSet HEX = CharSet.of("0123456789ABCDEFabcdef");

  private final String template;
  private int pos;

  private UriTemplate(String template) {
    this.template = template;
  }

  /**
   * Compiles {@code template}.
   *
   * @throws IllegalArgumentException naming the position and the problem if it is not a valid
   *     RFC 6570 template
   */
  static CompiledPattern compile(String template) {
    UriTemplate parser = new UriTemplate(template);
    List<Node> parts = new ArrayList<>();
    StringBuilder prefix = new StringBuilder();
    boolean inPrefix = true;
    while (parser.pos < template.length()) {
      if (template.charAt(parser.pos) == '{') {
        parts.add(parser.expression());
        inPrefix = false;
      } else {
        String literal = parser.literals();
        parts.add(new Literal(literal));
        if (inPrefix) prefix.append(literal);
      }
    }
    return new CompiledPattern(TopicRegex.compile(new Sequence(parts)), prefix.toString());
  }

  private String literals() {
    int start = pos;
    while (pos < template.length() && template.charAt(pos) != '{') {
      char c = template.charAt(pos);
      if (c == '%') {
        percentEncoded();
      } else if (isLiteral(c)) {
        pos++;
      } else {
        throw error(c == '}' ? "'}' without a matching '{'" : "character " + describe(c) + " is not allowed");
      }
    }
    return template.substring(start, pos);
  }

  // RFC 6570 section 2.1: any Unicode character except CTL, SP, DQUOTE, "'", "%" (aside from
  // pct-encoded), "<", ">", "\", "^", "`", "{", "|", "}".
  private static boolean isLiteral(char c) {
    if (c >= 0xA0) return true; // ucschar and iprivate
    if (c <= 0x20 || c >= 0x7F) return false;
    return "\"'%<>\\^`{|}".indexOf(c) < 0;
  }

  private void percentEncoded() {
    if (pos + 2 >= template.length()
        || !HEX.contains(template.charAt(pos + 1))
        || !HEX.contains(template.charAt(pos + 2))) {
      throw error("'%' must be followed by two hexadecimal digits");
    }
    pos += 3;
  }

  private Node expression() {
    int open = pos;
    pos++; // '{'
    if (pos >= template.length()) throw errorAt(open, "unclosed expression");
    char opChar = template.charAt(pos);
    Operator operator = Operator.of(opChar);
    if (operator != Operator.SIMPLE) pos++;
    if ("=,!@|".indexOf(opChar) >= 0) throw error("operator " + describe(opChar) + " is reserved by RFC 6570");
    List<Boolean> explodes = new ArrayList<>();
    while (true) {
      explodes.add(varspec());
      if (pos >= template.length()) throw errorAt(open, "unclosed expression");
      char c = template.charAt(pos);
      if (c == '}') {
        pos++;
        break;
      }
      if (c != ',') throw error("expected ',' or '}' but found " + describe(c));
      pos++;
    }
    return operator.node(explodes);
  }

  /** Parses {@code varname [":" max-length | "*"]}; returns whether it is exploded. */
  private boolean varspec() {
    int start = pos;
    boolean needVarchar = true;
    while (pos < template.length()) {
      char c = template.charAt(pos);
      if (c == '%') {
        percentEncoded();
        needVarchar = false;
      } else if (Character.isLetterOrDigit(c) && c < 128 || c == '_') {
        pos++;
        needVarchar = false;
      } else if (c == '.' && !needVarchar) {
        pos++;
        needVarchar = true; // a dot must be followed by a varchar
      } else {
        break;
      }
    }
    if (pos == start) {
      throw pos < template.length()
          ? error("expected a variable name but found " + describe(template.charAt(pos)))
          : error("expected a variable name");
    }
    if (needVarchar) throw error("a variable name cannot end with '.'");
    if (pos < template.length() && template.charAt(pos) == '*') {
      pos++;
      return true;
    }
    if (pos < template.length() && template.charAt(pos) == ':') {
      pos++;
      int digits = pos;
      while (pos < template.length() && template.charAt(pos) >= '0' && template.charAt(pos) <= '9') pos++;
      if (pos == digits || template.charAt(digits) == '0' || pos - digits > 4) {
        throw errorAt(digits, "a prefix length must be a number from 1 to 9999");
      }
    }
    return false;
  }

  private IllegalArgumentException error(String problem) {
    return errorAt(pos, problem);
  }

  private IllegalArgumentException errorAt(int index, String problem) {
    return new IllegalArgumentException(
        "invalid URI template " + TopicText.quote(template) + " at index " + index + ": " + problem);
  }

  private static String describe(char c) {
    return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  /** The operators of RFC 6570 section 3.2, with what the reference hub lets each match. */
  private enum Operator {
    SIMPLE("", ",", false, false),
    RESERVED("", ",", false, true),
    FRAGMENT("#", ",", false, true),
    LABEL(".", ".", false, false),
    PATH("/", "/", false, false),
    PARAMETERS(";", ";", true, false),
    QUERY("?", "&", true, false),
    CONTINUATION("&", "&", true, false);

    private final String first;
    private final String separator;
    private final boolean named;
    private final boolean allowReserved;

    Operator(String first, String separator, boolean named, boolean allowReserved) {
      this.first = first;
      this.separator = separator;
      this.named = named;
      this.allowReserved = allowReserved;
    }

    static Operator of(char c) {
      return switch (c) {
        case '+' -> RESERVED;
        case '#' -> FRAGMENT;
        case '.' -> LABEL;
        case '/' -> PATH;
        case ';' -> PARAMETERS;
        case '?' -> QUERY;
        case '&' -> CONTINUATION;
        default -> SIMPLE;
      };
    }

    Node node(List<Boolean> explodes) {
      boolean anyExploded = explodes.contains(true);
      Node head = run(named || explodes.get(0));
      List<Node> body = new ArrayList<>();
      if (!first.isEmpty()) body.add(new Literal(first));
      body.add(head);
      if (explodes.size() > 1 || explodes.get(0)) {
        Node more = Sequence.of(new Literal(separator), run(named || anyExploded));
        if (anyExploded) {
          body.add(new ZeroOrMore(more));
        } else {
          // {a,b,c}: at most two more values; nest so the second needs the first
          Node tail = new ZeroOrOne(more);
          for (int i = 2; i < explodes.size(); i++) tail = new ZeroOrOne(Sequence.of(more, tail));
          body.add(tail);
        }
      }
      return new ZeroOrOne(new Sequence(body));
    }

    /** Zero or more allowed characters or percent-encoded triplets. */
    private Node run(boolean allowEquals) {
      String chars = UNRESERVED_CHARS + (allowReserved ? RESERVED_CHARS : allowEquals ? ",=" : ",");
      Node triplet = Sequence.of(new Literal("%"), new OneOf(HEX), new OneOf(HEX));
      return new ZeroOrMore(new Either(new OneOf(CharSet.of(chars)), triplet));
    }
  }
}
