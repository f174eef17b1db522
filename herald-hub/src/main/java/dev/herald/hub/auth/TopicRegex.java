package dev.herald.hub.auth;

import com.google.re2j.Pattern;
import java.util.List;

/**
 * The syntax tree URI templates and URL patterns compile to, and its translation to an RE2/J
 * {@link Pattern}, which matches in time linear in the topic's length.
 *
 * <p>Why not {@link java.util.regex.Pattern}: subscribers choose their selectors, and a template
 * such as {@code {a}{b}{c}{d}} becomes adjacent, overlapping star loops, which a backtracking
 * engine explores in polynomial (worse, with nesting, exponential) time on a topic that almost
 * matches. The reference hub runs Go's RE2, which is linear; RE2/J is its port to Java, and the
 * Mercure draft names it for URL patterns.
 *
 * <p>Immutable and thread-safe.
 */
final class TopicRegex {
  private TopicRegex() {}

  /** A pattern matching exactly the whole strings {@code node} describes. */
  static Pattern compile(Node node) {
    StringBuilder regex = new StringBuilder();
    append(node, regex);
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  private static void append(Node node, StringBuilder regex) {
    if (node instanceof Literal literal) {
      for (int i = 0; i < literal.text().length(); ) {
        int c = literal.text().codePointAt(i);
        escaped(c, regex);
        i += Character.charCount(c);
      }
    } else if (node instanceof OneOf oneOf) {
      oneOf.set().appendClass(regex);
    } else if (node instanceof Sequence sequence) {
      for (Node n : sequence.nodes()) group(n, regex);
    } else if (node instanceof Either either) {
      regex.append("(?:");
      append(either.first(), regex);
      regex.append('|');
      append(either.second(), regex);
      regex.append(')');
    } else if (node instanceof ZeroOrMore more) {
      group(more.node(), regex);
      regex.append('*');
    } else if (node instanceof ZeroOrOne optional) {
      group(optional.node(), regex);
      regex.append('?');
    }
  }

  private static void group(Node node, StringBuilder regex) {
    regex.append("(?:");
    append(node, regex);
    regex.append(')');
  }

  /** A code point as an escape, so no character of a selector is ever read as syntax. */
  static void escaped(int c, StringBuilder regex) {
    regex.append("\\x{").append(Integer.toHexString(c)).append('}');
  }

  /** The syntax tree the template and URL pattern parsers build. */
  sealed interface Node {}

  record Literal(String text) implements Node {}

  record OneOf(CharSet set) implements Node {}

  record Sequence(List<Node> nodes) implements Node {
    Sequence {
      nodes = List.copyOf(nodes);
    }

    static Sequence of(Node... nodes) {
      return new Sequence(List.of(nodes));
    }
  }

  record Either(Node first, Node second) implements Node {}

  /** Zero or more. */
  record ZeroOrMore(Node node) implements Node {}

  /** Zero or one. */
  record ZeroOrOne(Node node) implements Node {}

  /**
   * A set of characters: chosen ASCII characters, and optionally every non-ASCII character.
   * Templates and URL patterns only ever need ASCII classes plus "anything else".
   */
  static final class CharSet {
    private final long low;
    private final long high;
    private final boolean nonAscii;

    private CharSet(long low, long high, boolean nonAscii) {
      this.low = low;
      this.high = high;
      this.nonAscii = nonAscii;
    }

    static CharSet of(String chars) {
      long low = 0;
      long high = 0;
      for (int i = 0; i < chars.length(); i++) {
        char c = chars.charAt(i);
        if (c >= 128) throw new IllegalArgumentException("ASCII only");
        if (c < 64) {
          low |= 1L << c;
        } else {
          high |= 1L << (c - 64);
        }
      }
      return new CharSet(low, high, false);
    }

    static CharSet range(char from, char to) {
      StringBuilder b = new StringBuilder();
      for (char c = from; c <= to; c++) b.append(c);
      return of(b.toString());
    }

    /** Every character, non-ASCII included, except those in {@code chars}. */
    static CharSet allExcept(String chars) {
      CharSet excluded = of(chars);
      return new CharSet(~excluded.low, ~excluded.high, true);
    }

    CharSet union(CharSet other) {
      return new CharSet(low | other.low, high | other.high, nonAscii || other.nonAscii);
    }

    boolean contains(char c) {
      if (c >= 128) return nonAscii;
      return c < 64 ? (low & (1L << c)) != 0 : (high & (1L << (c - 64))) != 0;
    }

    /** This set as a regular-expression character class. */
    void appendClass(StringBuilder regex) {
      StringBuilder members = new StringBuilder();
      for (char c = 0; c < 128; c++) {
        if (contains(c)) escaped(c, members);
      }
      if (nonAscii) members.append("\\x{80}-\\x{10ffff}");
      if (members.length() == 0) {
        regex.append("[^\\x{0}-\\x{10ffff}]"); // the empty set: matches nothing
      } else {
        regex.append('[').append(members).append(']');
      }
    }
  }

}
