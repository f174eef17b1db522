package dev.herald.hub.auth;

/** Puts client-supplied text into error messages: quoted, control characters escaped, cut short. */
final class TopicText {
  static final int MAX_QUOTED_CHARS = 80;

  private TopicText() {}

  static String quote(String text) {
    StringBuilder b = new StringBuilder("\"");
    int end = Math.min(text.length(), MAX_QUOTED_CHARS);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
        b.append(String.format("\\u%04X", (int) c));
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    if (text.length() > end) b.append("...");
    return b.append('"').toString();
  }
}
