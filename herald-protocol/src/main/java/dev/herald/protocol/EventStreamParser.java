package dev.herald.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A push-style streaming parser for {@code text/event-stream}, following the WHATWG HTML
 * "server-sent events" parsing and dispatch rules exactly.
 *
 * <p>Feed it the bytes of one response body as they arrive ({@link #feed(byte[], int, int)} or
 * {@link #feed(ByteBuffer)}), in chunks of any size split anywhere, then call {@link #end()} when
 * the body ends. It calls its {@link Listener} synchronously, on the feeding thread, for each
 * dispatched event, each valid {@code retry} value and each comment line, in stream order.
 *
 * <p>What it implements, in the spec's words: the body is always UTF-8 (invalid sequences become
 * U+FFFD; a character split across chunks is reassembled); one leading BOM is stripped, only at the
 * start of a body; lines end with CRLF, LF or CR, freely mixed, and a CR at the end of one chunk
 * ends its line at once (an LF starting the next chunk is then swallowed); one space after the
 * colon is removed; {@code data} lines join with LF and the last LF is dropped; an event with empty
 * data dispatches nothing, but its {@code id} still becomes the last event id; an {@code id} holding
 * NUL is ignored; the last event id persists across events and across streams; {@code retry} is
 * applied only when it is all ASCII digits, and as soon as its line is read; unknown fields are
 * ignored; an event cut off by the end of the body is dropped with its id.
 *
 * <p>One parser can read the successive bodies of one reconnecting source: {@link #end()} discards
 * any unterminated event and makes the next byte the start of a new body, while the last event id
 * carries over as browsers do.
 *
 * <p>Memory is bounded by {@link Builder#maxLineBytes(int)} and {@link Builder#maxEventBytes(int)}:
 * a stream breaking one gets an {@link EventStreamLimitException} from {@code feed}, after which the
 * rest of that body is ignored until {@link #end()}.
 *
 * <p>Not thread-safe: feed each instance from one thread at a time.
 */
public final class EventStreamParser {
  /**
   * Default limit on one line, in bytes (32 MiB): a 16 MiB single-line event passes with room to
   * spare. Browsers set no limit, so a payload that works in a page must not close a Java client.
   */
  public static final int DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;
  /** Default limit on the data of one event, in bytes (the joined {@code data} lines): 32 MiB. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 32 * 1024 * 1024;
  /**
   * The largest {@code retry} value reported, in milliseconds (about 24.8 days); larger values are
   * clamped to it rather than overflowing.
   */
  public static final long MAX_RETRY_MILLIS = Integer.MAX_VALUE;

  /** The default event type, used when an event has no (or an empty) {@code event} field. */
  public static final String DEFAULT_EVENT_TYPE = "message";

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final int CR = '\r';
  private static final int LF = '\n';
  /** Reads 8 bytes at once, first byte lowest, to look for line ends a word at a time. */
  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long EVERY_LF = 0x0A0A0A0A0A0A0A0AL;
  private static final long EVERY_CR = 0x0D0D0D0D0D0D0D0DL;
  private static final long EVERY_ONE = 0x0101010101010101L;
  private static final long EVERY_HIGH_BIT = 0x8080808080808080L;
  private static final int TYPE_CACHE_SIZE = 8;

  /** Receives what the parser reads. Called on the feeding thread, in stream order. */
  public interface Listener {
    /**
     * An event was dispatched.
     *
     * @param type the event type, {@code "message"} by default, never empty
     * @param data the data lines joined with LF
     * @param lastEventId the source's last event id after this event (the latest {@code id} seen,
     *     possibly from an earlier event or stream), {@code ""} when none
     */
    void onEvent(String type, String data, String lastEventId);

    /** A valid {@code retry} field set the reconnection time, clamped to {@link #MAX_RETRY_MILLIS}. */
    default void onRetry(long millis) {}

    /** A comment line was read: the text after the colon, less one leading space. */
    default void onComment(String comment) {}
  }

  private final Listener listener;
  private final int maxLineBytes;
  private final int maxEventBytes;

  private int bomMatched; // bytes of a leading BOM matched so far; -1 once past the start
  private boolean skipLf; // the last line ended with CR: an LF next is part of that terminator
  private boolean discarding; // a limit was broken: ignore the rest of this body

  private byte[] line = new byte[128]; // a line split across chunks
  private int lineLength;

  private byte[] data = new byte[256];
  private int dataLength; // bytes of data, each line followed by LF, deferred line included
  // The event's only data line, still in the caller's array: most events have one data line and
  // end in the same read, so their data is decoded straight from the input, never copied. Copied
  // into data before feed returns, since the caller may then reuse its array.
  private byte[] deferredData;
  private int deferredOffset;

  private byte[] type = new byte[32];
  private int typeLength;
  // Recently decoded types: a stream uses a handful, so most events reuse a String.
  private final byte[][] typeCacheBytes = new byte[TYPE_CACHE_SIZE][];
  private final String[] typeCache = new String[TYPE_CACHE_SIZE];
  private int typeCacheNext;

  private String idBuffer;
  private String lastEventId;

  private EventStreamParser(Builder b, Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.maxLineBytes = b.maxLineBytes;
    this.maxEventBytes = b.maxEventBytes;
    this.lastEventId = b.lastEventId;
    this.idBuffer = b.lastEventId;
  }

  /** A parser with the default limits and no initial last event id. */
  public static EventStreamParser create(Listener listener) {
    return builder().build(listener);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The source's last event id string: set from the {@code id} buffer each time an event block
   * ends, even one with no data; {@code ""} when none. This is what a client sends as
   * {@code Last-Event-ID} when it reconnects.
   */
  public String lastEventId() {
    return lastEventId;
  }

  /**
   * Parses {@code length} bytes of {@code bytes} from {@code offset}. The parser keeps no reference
   * to the array once this returns.
   *
   * @throws EventStreamLimitException if a line or an event grows past a limit
   */
  public void feed(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    int i = offset;
    int end = offset + length;
    if (discarding) return;
    if (bomMatched >= 0) {
      i = skipBom(bytes, i, end);
      if (i == end && bomMatched >= 0) return;
    }
    if (skipLf && i < end) {
      skipLf = false;
      if (bytes[i] == LF) i++;
    }
    try {
      parse(bytes, i, end);
    } catch (EventStreamLimitException e) {
      discardStream();
      discarding = true;
      throw e;
    } finally {
      if (deferredData != null) keepDeferredData();
    }
  }

  private void parse(byte[] bytes, int i, int end) {
    while (i < end) {
      int j = indexOfLineEnd(bytes, i, end);
      if (j == end) {
        appendToLine(bytes, i, end - i);
        return;
      }
      if (lineLength > 0) {
        appendToLine(bytes, i, j - i);
        int n = lineLength;
        lineLength = 0;
        processLine(line, 0, n);
      } else {
        if (j - i > maxLineBytes) throw lineTooLong(j - i);
        processLine(bytes, i, j - i);
      }
      if (bytes[j] == CR) {
        if (j + 1 < end) {
          if (bytes[j + 1] == LF) j++;
        } else {
          skipLf = true;
        }
      }
      i = j + 1;
    }
  }

  /** Parses the buffer's remaining bytes and advances its position to its limit. */
  public void feed(ByteBuffer bytes) {
    if (bytes.hasArray()) {
      int n = bytes.remaining();
      int start = bytes.arrayOffset() + bytes.position();
      bytes.position(bytes.limit());
      feed(bytes.array(), start, n);
      return;
    }
    byte[] chunk = new byte[Math.min(bytes.remaining(), 8192)];
    while (bytes.hasRemaining()) {
      int n = Math.min(chunk.length, bytes.remaining());
      bytes.get(chunk, 0, n);
      feed(chunk, 0, n);
    }
  }

  /**
   * The body ended. Any event not yet ended by a blank line is discarded, its {@code id} too; the
   * next byte fed starts a new body (a leading BOM is stripped again) that keeps the last event id.
   */
  public void end() {
    discardStream();
    discarding = false;
  }

  private void discardStream() {
    bomMatched = 0;
    skipLf = false;
    lineLength = 0;
    dataLength = 0;
    deferredData = null;
    typeLength = 0;
    idBuffer = lastEventId;
  }

  private int skipBom(byte[] bytes, int i, int end) {
    while (i < end && bomMatched >= 0) {
      if (bytes[i] == BOM[bomMatched]) {
        i++;
        if (++bomMatched == BOM.length) bomMatched = -1;
      } else {
        // Not a BOM after all: the bytes matched so far belong to the first line.
        int matched = bomMatched;
        bomMatched = -1;
        appendToLine(BOM, 0, matched);
      }
    }
    return i;
  }

  private static int indexOfLineEnd(byte[] b, int i, int end) {
    // A word at a time: x ^ EVERY_LF has a zero byte where x has an LF, and (v - 0x01..) & ~v has
    // the high bit set in v's lowest zero byte (higher bytes may be false positives, but only
    // above a real match, and the lowest match is the one taken).
    for (; i <= end - 8; i += 8) {
      long word = (long) WORDS.get(b, i);
      long lf = word ^ EVERY_LF;
      long cr = word ^ EVERY_CR;
      long found = (((lf - EVERY_ONE) & ~lf) | ((cr - EVERY_ONE) & ~cr)) & EVERY_HIGH_BIT;
      if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
    }
    for (; i < end; i++) {
      byte c = b[i];
      // Both terminators are below 0x0E: one compare rejects almost every byte.
      if (c <= CR && (c == LF || c == CR)) return i;
    }
    return end;
  }

  private void appendToLine(byte[] bytes, int from, int n) {
    if (n == 0) return;
    int needed = lineLength + n;
    if (needed > maxLineBytes) {
      discardStream();
      discarding = true;
      throw lineTooLong(needed);
    }
    if (needed > line.length) line = Arrays.copyOf(line, grow(line.length, needed, maxLineBytes));
    System.arraycopy(bytes, from, line, lineLength, n);
    lineLength = needed;
  }

  private EventStreamLimitException lineTooLong(long seen) {
    return new EventStreamLimitException("maxLineBytes", maxLineBytes, seen);
  }

  private static int grow(int current, int needed, int max) {
    long size = Math.max((long) current * 2, needed);
    return (int) Math.min(size, Math.max(max, needed));
  }

  private void processLine(byte[] b, int off, int len) {
    if (len == 0) {
      dispatch();
      return;
    }
    if (b[off] == ':') {
      int from = off + 1;
      if (from < off + len && b[from] == ' ') from++;
      listener.onComment(decode(b, from, off + len - from));
      return;
    }
    int colon = off;
    int end = off + len;
    while (colon < end && b[colon] != ':') colon++;
    int nameLength = colon - off;
    int valueStart = colon + 1;
    if (valueStart < end && b[valueStart] == ' ') valueStart++;
    if (valueStart > end) valueStart = end; // no colon: the value is empty
    int valueLength = end - valueStart;

    switch (nameLength) {
      case 2:
        if (b[off] == 'i' && b[off + 1] == 'd') setId(b, valueStart, valueLength);
        break;
      case 4:
        if (b[off] == 'd' && b[off + 1] == 'a' && b[off + 2] == 't' && b[off + 3] == 'a') {
          appendData(b, valueStart, valueLength);
        }
        break;
      case 5:
        if (matches(b, off, "event")) {
          setType(b, valueStart, valueLength);
        } else if (matches(b, off, "retry")) {
          setRetry(b, valueStart, valueLength);
        }
        break;
      default:
        // Unknown field: ignored.
    }
  }

  private static boolean matches(byte[] b, int off, String name) {
    for (int k = 0; k < name.length(); k++) {
      if (b[off + k] != name.charAt(k)) return false;
    }
    return true;
  }

  private void appendData(byte[] b, int from, int n) {
    int needed = dataLength + n + 1;
    if (needed > maxEventBytes) {
      throw new EventStreamLimitException("maxEventBytes", maxEventBytes, needed);
    }
    if (dataLength == 0 && b != line) {
      deferredData = b;
      deferredOffset = from;
      dataLength = needed;
      return;
    }
    if (deferredData != null) keepDeferredData();
    if (needed > data.length) data = Arrays.copyOf(data, grow(data.length, needed, maxEventBytes));
    System.arraycopy(b, from, data, dataLength, n);
    data[needed - 1] = LF;
    dataLength = needed;
  }

  /** Copies the deferred data line out of the caller's array. */
  private void keepDeferredData() {
    if (dataLength > data.length) {
      data = Arrays.copyOf(data, grow(data.length, dataLength, maxEventBytes));
    }
    System.arraycopy(deferredData, deferredOffset, data, 0, dataLength - 1);
    data[dataLength - 1] = LF;
    deferredData = null;
  }

  private void setType(byte[] b, int from, int n) {
    if (n > type.length) type = new byte[n];
    System.arraycopy(b, from, type, 0, n);
    typeLength = n;
  }

  private void setId(byte[] b, int from, int n) {
    for (int k = from; k < from + n; k++) {
      if (b[k] == 0) return; // an id holding NUL is ignored entirely
    }
    idBuffer = decode(b, from, n);
  }

  private void setRetry(byte[] b, int from, int n) {
    if (n == 0) return;
    long millis = 0;
    for (int k = from; k < from + n; k++) {
      int d = b[k] - '0';
      if (d < 0 || d > 9) return;
      millis = millis * 10 + d;
      if (millis > MAX_RETRY_MILLIS) millis = MAX_RETRY_MILLIS + 1; // keep clamped, never overflow
    }
    listener.onRetry(Math.min(millis, MAX_RETRY_MILLIS));
  }

  private void dispatch() {
    lastEventId = idBuffer;
    if (dataLength == 0) {
      typeLength = 0;
      return;
    }
    String eventData = deferredData != null
        ? decode(deferredData, deferredOffset, dataLength - 1)
        : decode(data, 0, dataLength - 1);
    String eventType = typeLength == 0 ? DEFAULT_EVENT_TYPE : typeString();
    deferredData = null;
    dataLength = 0;
    typeLength = 0;
    listener.onEvent(eventType, eventData, lastEventId);
  }

  /** The decoded type, reusing a recent String when the bytes are the same (the usual case). */
  private String typeString() {
    for (int k = 0; k < TYPE_CACHE_SIZE; k++) {
      byte[] cached = typeCacheBytes[k];
      if (cached == null) break;
      if (Arrays.equals(type, 0, typeLength, cached, 0, cached.length)) return typeCache[k];
    }
    int k = typeCacheNext;
    typeCacheNext = (k + 1) % TYPE_CACHE_SIZE;
    typeCacheBytes[k] = Arrays.copyOf(type, typeLength);
    typeCache[k] = decode(type, 0, typeLength);
    return typeCache[k];
  }

  private static String decode(byte[] b, int off, int len) {
    // Decoding line by line is equivalent to decoding the whole stream: CR, LF and ':' are ASCII,
    // so they end any incomplete sequence in both.
    return Utf8.decode(b, off, len);
  }

  /** Configures a parser's limits and initial state. */
  public static final class Builder {
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private String lastEventId = "";

    private Builder() {}

    /** The longest line accepted, in bytes, terminator excluded. */
    public Builder maxLineBytes(int maxLineBytes) {
      if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
      this.maxLineBytes = maxLineBytes;
      return this;
    }

    /** The largest event data accepted, in bytes, counting the LF that joins lines. */
    public Builder maxEventBytes(int maxEventBytes) {
      if (maxEventBytes < 1) throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /**
     * The last event id to start from, as if a previous stream had set it: events without an
     * {@code id} report it, and {@link #lastEventId()} returns it until the stream sets another.
     */
    public Builder lastEventId(String lastEventId) {
      this.lastEventId = Objects.requireNonNull(lastEventId, "lastEventId");
      return this;
    }

    public EventStreamParser build(Listener listener) {
      return new EventStreamParser(this, listener);
    }
  }
}
