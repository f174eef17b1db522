package dev.herald.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential test: the linear-time matcher agrees with the regular expression the reference hub
 * builds (github.com/yosida95/uritemplate {@code Template.Regexp}, transcribed below), on many
 * short random topics, where backtracking is harmless.
 */
class ReferenceRegexTest {
  private static final String UNRESERVED = "\\x2d\\x2e\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a\\x7e";
  private static final String RESERVED = "\\x21\\x23\\x24\\x26-\\x2c\\x2f\\x3a\\x3b\\x3d\\x3f\\x40\\x5b\\x5d";
  private static final Pattern EXPRESSION = Pattern.compile("\\{([+#./;?&]?)([^}]*)\\}");
  private static final String ALPHABET = "ab1/.,=;?&#%2F:-_~ +";

  @ParameterizedTest
  @ValueSource(strings = {
      "x/{id}", "x/{+path}", "x{#frag}", "x{/id}", "x{/id*}", "x{/a,b}", "x{.ext}", "x{;id}", "x{;a,b}", "x{;a*}",
      "x{?p}", "x{?p,s}", "x{?q*}", "x{&a,b}", "{a}{b}", "{a,b,c}", "{+a,b}", "{#a*}", "x/{a}/{b}", "{a*}", "{a,b*}"})
  void agreesWithTheReferenceRegex(String template) {
    Pattern reference = Pattern.compile(referenceRegex(template));
    MercureSelector selector = MercureSelector.template(template);
    Random random = new Random(template.hashCode());
    String prefix = template.substring(0, template.indexOf('{'));
    for (int n = 0; n < 20_000; n++) {
      StringBuilder topic = new StringBuilder(random.nextBoolean() ? prefix : "");
      int length = random.nextInt(9);
      for (int i = 0; i < length; i++) topic.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      String t = topic.toString();
      assertThat(selector.matches(t)).as("%s against %s", template, t)
          .isEqualTo(t.equals(template) || reference.matcher(t).matches());
    }
  }

  static String referenceRegex(String template) {
    StringBuilder b = new StringBuilder("^");
    Matcher m = EXPRESSION.matcher(template);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) b.append('(').append(Pattern.quote(template.substring(last, m.start()))).append(')');
      expression(b, m.group(1), m.group(2).split(","));
      last = m.end();
    }
    if (last < template.length()) b.append('(').append(Pattern.quote(template.substring(last))).append(')');
    return b.append('$').toString();
  }

  private static void expression(StringBuilder b, String op, String[] specs) {
    String first = switch (op) { case "+", "" -> ""; default -> op; };
    String sep = switch (op) { case "." -> "."; case "/" -> "/"; case ";" -> ";"; case "?", "&" -> "&"; default -> ","; };
    boolean named = op.equals(";") || op.equals("?") || op.equals("&");
    boolean reserved = op.equals("+") || op.equals("#");
    List<Boolean> explode = new ArrayList<>();
    for (String s : specs) explode.add(s.endsWith("*"));
    if (!first.isEmpty()) b.append("(?:").append(Pattern.quote(first));
    b.append('(');
    runeClass(b, reserved, named || explode.get(0));
    if (specs.length > 1 || explode.get(0)) {
      int max = explode.contains(true) ? -1 : specs.length - 1;
      b.append("(?:").append(Pattern.quote(sep));
      runeClass(b, reserved, named || max < 0);
      b.append(')');
      b.append(max > 0 ? "{0," + max + "}" : "*");
    }
    b.append(')');
    if (!first.isEmpty()) b.append(')');
    b.append('?');
  }

  private static void runeClass(StringBuilder b, boolean reserved, boolean named) {
    b.append("(?:(?:[");
    if (!reserved) {
      b.append("\\x2c");
      if (named) b.append("\\x3d");
    }
    b.append(UNRESERVED);
    if (reserved) b.append(RESERVED);
    b.append("]|%\\p{XDigit}\\p{XDigit})*)");
  }
}
