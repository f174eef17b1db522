package dev.herald.protocol;

import java.nio.charset.StandardCharsets;

/** UTF-8 decoding exactly as the WHATWG Encoding standard's "UTF-8 decode" specifies. */
final class Utf8 {
  private static final char REPLACEMENT = '\uFFFD';

  private Utf8() {}

  /**
   * Decodes {@code len} bytes from {@code off}, replacing each maximal invalid subsequence with one
   * U+FFFD.
   */
  static String decode(byte[] b, int off, int len) {
    if (len == 0) return "";
    // The JDK decoder is intrinsified and agrees with WHATWG on everything but encoded surrogates
    // (ED A0..BF xx: one U+FFFD where WHATWG wants one per byte). Any disagreement shows up as a
    // U+FFFD in its result, which valid text (and so the fast path) almost never holds.
    String s = new String(b, off, len, StandardCharsets.UTF_8);
    return s.indexOf(REPLACEMENT) < 0 ? s : decodeSlowly(b, off, len);
  }

  /** The Encoding standard's algorithm, byte by byte. */
  static String decodeSlowly(byte[] b, int off, int len) {
    StringBuilder out = new StringBuilder(len);
    int needed = 0;
    int seen = 0;
    int codePoint = 0;
    int lower = 0x80;
    int upper = 0xBF;
    for (int i = off, end = off + len; i < end; i++) {
      int c = b[i] & 0xFF;
      if (needed == 0) {
        if (c <= 0x7F) {
          out.append((char) c);
        } else if (c >= 0xC2 && c <= 0xDF) {
          needed = 1;
          codePoint = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
          if (c == 0xE0) lower = 0xA0;
          if (c == 0xED) upper = 0x9F;
          needed = 2;
          codePoint = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
          if (c == 0xF0) lower = 0x90;
          if (c == 0xF4) upper = 0x8F;
          needed = 3;
          codePoint = c & 0x07;
        } else {
          out.append(REPLACEMENT);
        }
        continue;
      }
      if (c < lower || c > upper) {
        // The sequence so far is one error; the byte that broke it is read again on its own.
        needed = 0;
        seen = 0;
        codePoint = 0;
        lower = 0x80;
        upper = 0xBF;
        out.append(REPLACEMENT);
        i--;
        continue;
      }
      lower = 0x80;
      upper = 0xBF;
      codePoint = (codePoint << 6) | (c & 0x3F);
      if (++seen == needed) {
        out.appendCodePoint(codePoint);
        needed = 0;
        seen = 0;
        codePoint = 0;
      }
    }
    if (needed != 0) out.append(REPLACEMENT);
    return out.toString();
  }
}
