package dev.herald.hub.auth;

/**
 * A compiled URI template or URL pattern, and the literal text every matching topic starts with:
 * most topics fail that cheap test and never reach the automaton.
 */
record CompiledPattern(Nfa nfa, String literalPrefix) {
  boolean matches(String topic) {
    return topic.startsWith(literalPrefix) && nfa.matches(topic);
  }
}
