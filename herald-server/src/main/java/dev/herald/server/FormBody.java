package dev.herald.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body strictly: a bad percent-escape or bytes
 * that are not UTF-8 are an error naming the field, never a silent replacement character (a topic
 * or an id must arrive as sent, or not at all).
 */
final class FormBody {
  /** Most fields one body may hold. */
  static final int MAX_FIELDS = 1024;

  private FormBody() {}

  /** The fields in order, each name mapped to its values; IllegalArgumentException names what is wrong. */
  static Map<String, List<String>> decode(byte[] body) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    int count = 0;
    int start = 0;
    while (start <= body.length) {
      int end = indexOf(body, (byte) '&', start, body.length);
      if (end > start) {
        if (++count > MAX_FIELDS) throw new IllegalArgumentException("too many form fields: the limit is " + MAX_FIELDS);
        int eq = indexOf(body, (byte) '=', start, end);
        String name = component(body, start, eq, null);
        String value = eq < end ? component(body, eq + 1, end, name) : "";
        fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
      start = end + 1;
    }
    fields.replaceAll((n, v) -> List.copyOf(v));
    return fields;
  }

  /** Decodes {@code body[from, to)}; {@code field} is null while decoding a name. */
  private static String component(byte[] body, int from, int to, String field) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      byte b = body[i];
      if (b == '+') {
        out.write(' ');
      } else if (b == '%') {
        int hi = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
        int lo = i + 2 < to ? Character.digit(body[i + 2], 16) : -1;
        if (hi < 0 || lo < 0) {
          String escape = new String(body, i, Math.min(3, to - i), StandardCharsets.ISO_8859_1);
          throw malformed(body, from, to, field, i + 2 < to
              ? "invalid percent-escape '" + escape + "'" : "truncated percent-escape '" + escape + "' at its end");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(b);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw malformed(body, from, to, field, "not valid UTF-8 once decoded");
    }
  }

  private static IllegalArgumentException malformed(byte[] body, int from, int to, String field, String problem) {
    if (field != null) return new IllegalArgumentException("malformed form field '" + field + "': " + problem);
    String raw = new String(body, from, Math.min(to - from, 40), StandardCharsets.ISO_8859_1);
    return new IllegalArgumentException("malformed form field name '" + raw + "': " + problem);
  }

  private static int indexOf(byte[] a, byte b, int from, int to) {
    for (int i = from; i < to; i++) if (a[i] == b) return i;
    return to;
  }
}
