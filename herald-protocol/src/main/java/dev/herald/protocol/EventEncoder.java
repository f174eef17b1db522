package dev.herald.protocol;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encodes an {@link Event} as one {@code text/event-stream} frame in UTF-8.
 *
 * <p>Frames are written in the order comments, {@code retry:}, {@code id:}, {@code event:},
 * {@code data:} lines, then the blank line that ends the frame. Every line ends with LF (the one
 * line ending that line-buffered clients never misread) and every field is written as
 * {@code name: value}, with the one space a parser strips, so values that begin with a space
 * survive. Line breaks inside data or comments (LF, CR or CRLF) start a new line of the same field;
 * the parser joins data lines back with LF. Lone surrogates are written as U+FFFD.
 *
 * <p>Encoding into a caller's buffer allocates nothing: size the buffer with
 * {@link #encodedLength(Event)}, then {@link #encode(Event, byte[], int)} or
 * {@link #encode(Event, ByteBuffer)}. Methods are static, stateless and thread-safe.
 */
public final class EventEncoder {
  private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
  private static final byte[] ID = {'i', 'd', ':'};
  private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't', ':'};
  private static final byte[] RETRY = {'r', 'e', 't', 'r', 'y', ':', ' '};
  private static final byte[] COMMENT = {':'};
  private static final int SCRATCH_MAX_BYTES = 64 * 1024;
  private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1][1024]);

  private EventEncoder() {}

  /** The exact number of bytes {@link #encode(Event)} produces for {@code event}. */
  public static int encodedLength(Event event) {
    long n = 1; // the blank line ending the frame
    List<String> comments = event.comments();
    for (int i = 0, size = comments.size(); i < size; i++) {
      n += linesLength(COMMENT.length, comments.get(i));
    }
    if (event.retry() != null) {
      n += RETRY.length + digits(event.retry().toMillis()) + 1;
    }
    if (event.id() != null) n += linesLength(ID.length, event.id());
    if (event.type() != null) n += linesLength(EVENT.length, event.type());
    if (event.data() != null) n += linesLength(DATA.length, event.data());
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("event too large to encode: " + n + " bytes");
    }
    return (int) n;
  }

  /** Encodes {@code event} into a new array holding exactly one frame. */
  public static byte[] encode(Event event) {
    byte[] frame = new byte[encodedLength(event)];
    encode(event, frame, 0);
    return frame;
  }

  /**
   * Encodes {@code event} into {@code dst} from {@code offset} and returns the offset just past the
   * frame.
   *
   * @throws IndexOutOfBoundsException if the frame does not fit; check {@link #encodedLength} first
   */
  public static int encode(Event event, byte[] dst, int offset) {
    int p = offset;
    List<String> comments = event.comments();
    for (int i = 0, size = comments.size(); i < size; i++) {
      p = writeLines(COMMENT, comments.get(i), dst, p);
    }
    if (event.retry() != null) {
      System.arraycopy(RETRY, 0, dst, p, RETRY.length);
      p = writeDigits(event.retry().toMillis(), dst, p + RETRY.length);
      dst[p++] = '\n';
    }
    if (event.id() != null) p = writeLines(ID, event.id(), dst, p);
    if (event.type() != null) p = writeLines(EVENT, event.type(), dst, p);
    if (event.data() != null) p = writeLines(DATA, event.data(), dst, p);
    dst[p++] = '\n';
    return p;
  }

  /**
   * Encodes {@code event} at the buffer's position and advances the position past the frame.
   *
   * @throws BufferOverflowException if fewer than {@link #encodedLength} bytes remain; nothing is
   *     written then
   */
  public static void encode(Event event, ByteBuffer dst) {
    int length = encodedLength(event);
    if (dst.remaining() < length) throw new BufferOverflowException();
    if (dst.hasArray()) {
      int start = dst.arrayOffset() + dst.position();
      encode(event, dst.array(), start);
      dst.position(dst.position() + length);
      return;
    }
    // Direct buffers: encode into a per-thread scratch array, then one bulk copy. The scratch
    // array only grows up to SCRATCH_MAX_BYTES, so one huge event does not pin its size in every
    // thread that ever encoded it.
    byte[] scratch;
    if (length <= SCRATCH_MAX_BYTES) {
      byte[][] holder = SCRATCH.get();
      if (holder[0].length < length) {
        holder[0] = new byte[Math.min(Math.max(length, holder[0].length * 2), SCRATCH_MAX_BYTES)];
      }
      scratch = holder[0];
    } else {
      scratch = new byte[length];
    }
    encode(event, scratch, 0);
    dst.put(scratch, 0, length);
  }

  /** Length of {@code value} written as one or more {@code name value} lines. */
  private static long linesLength(int nameLength, String value) {
    long n = 0;
    int lineStart = 0;
    int len = value.length();
    for (int i = 0; i < len; i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r') {
        n += lineLength(nameLength, value, lineStart, i);
        if (c == '\r' && i + 1 < len && value.charAt(i + 1) == '\n') i++;
        lineStart = i + 1;
      }
    }
    return n + lineLength(nameLength, value, lineStart, len);
  }

  private static long lineLength(int nameLength, String value, int from, int to) {
    // name ":" [" " value] "\n"; an empty value is written without the space.
    return nameLength + (to > from ? 1 + utf8Length(value, from, to) : 0) + 1;
  }

  private static int writeLines(byte[] name, String value, byte[] dst, int p) {
    int lineStart = 0;
    int len = value.length();
    for (int i = 0; i < len; i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r') {
        p = writeLine(name, value, lineStart, i, dst, p);
        if (c == '\r' && i + 1 < len && value.charAt(i + 1) == '\n') i++;
        lineStart = i + 1;
      }
    }
    return writeLine(name, value, lineStart, len, dst, p);
  }

  private static int writeLine(byte[] name, String value, int from, int to, byte[] dst, int p) {
    System.arraycopy(name, 0, dst, p, name.length);
    p += name.length;
    if (to > from) {
      dst[p++] = ' ';
      p = writeUtf8(value, from, to, dst, p);
    }
    dst[p++] = '\n';
    return p;
  }

  private static long utf8Length(String s, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3; // BMP character, or a lone surrogate written as U+FFFD
      }
    }
    return n;
  }

  private static int writeUtf8(String s, int from, int to, byte[] dst, int p) {
    int i = from;
    // ASCII fast path: most event data is JSON.
    while (i < to) {
      char c = s.charAt(i);
      if (c >= 0x80) break;
      dst[p++] = (byte) c;
      i++;
    }
    for (; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        dst[p++] = (byte) c;
      } else if (c < 0x800) {
        dst[p++] = (byte) (0xC0 | (c >> 6));
        dst[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          dst[p++] = (byte) (0xF0 | (cp >> 18));
          dst[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          dst[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          dst[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          dst[p++] = (byte) 0xEF;
          dst[p++] = (byte) 0xBF;
          dst[p++] = (byte) 0xBD;
        }
      } else {
        dst[p++] = (byte) (0xE0 | (c >> 12));
        dst[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        dst[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return p;
  }

  private static int digits(long v) {
    int d = 1;
    while (v >= 10) {
      v /= 10;
      d++;
    }
    return d;
  }

  private static int writeDigits(long v, byte[] dst, int p) {
    int end = p + digits(v);
    int q = end;
    do {
      dst[--q] = (byte) ('0' + (v % 10));
      v /= 10;
    } while (v > 0);
    return end;
  }
}
