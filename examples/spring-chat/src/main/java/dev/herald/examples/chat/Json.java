package dev.herald.examples.chat;

/** The few JSON objects this example sends: string fields only. */
final class Json {
  private Json() {}

  /** {@code {"name":"value",...}} from names and values in turn. */
  static String object(String... namesAndValues) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (i > 0) b.append(',');
      quote(b, namesAndValues[i]).append(':');
      quote(b, namesAndValues[i + 1]);
    }
    return b.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"');
  }
}
