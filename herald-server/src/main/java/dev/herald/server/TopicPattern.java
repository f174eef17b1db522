package dev.herald.server;

import java.util.regex.Pattern;

/**
 * A subscription that matches topics by rule rather than by name. Patterns are checked against each
 * published event's topics, so keep {@link #matches} cheap; exact topics are cheaper still (a hash
 * lookup) and should be preferred.
 */
@FunctionalInterface
public interface TopicPattern {
  boolean matches(String topic);

  /**
   * A glob: {@code *} matches any run of characters (slashes included), everything else matches
   * itself. {@code "prices/*"} matches {@code "prices/EURUSD"}.
   */
  static TopicPattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    String[] parts = glob.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) regex.append(".*");
      if (!parts[i].isEmpty()) regex.append(Pattern.quote(parts[i]));
    }
    Pattern compiled = Pattern.compile(regex.toString(), Pattern.DOTALL);
    return new TopicPattern() {
      @Override
      public boolean matches(String topic) {
        return compiled.matcher(topic).matches();
      }

      @Override
      public String toString() {
        return "glob(" + glob + ")";
      }
    };
  }
}
