package dev.herald.hub.auth;

import com.google.re2j.Pattern;

/**
 * A compiled URI template or URL pattern, and the literal text every matching topic starts with:
 * most topics fail that cheap test and never reach the regular expression.
 */
record CompiledPattern(Pattern regex, String literalPrefix) {
  boolean matches(String topic) {
    return topic.startsWith(literalPrefix) && regex.matcher(topic).matches();
  }
}
