package dev.herald.server.internal;

import java.util.Locale;

/** Reads an {@code Accept} header for {@code text/event-stream}. */
final class Accept {
  private Accept() {}

  /** True when the header is absent or names the type, {@code text/*} or {@code * /*} with q > 0. */
  static boolean allowsEventStream(String accept) {
    if (accept == null || accept.isBlank()) return true;
    for (String range : accept.split(",")) {
      String[] parts = range.trim().split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      if (!type.equals("text/event-stream") && !type.equals("text/*") && !type.equals("*/*")) continue;
      if (!zeroQuality(parts)) return true;
    }
    return false;
  }

  private static boolean zeroQuality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("q=")) {
        try {
          return Double.parseDouble(p.substring(2)) <= 0;
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }
}
