package dev.herald.protocol;

/**
 * A stream broke one of the parser's size limits. The parser discards the rest of that stream, so
 * memory stays bounded whatever a server sends; the caller should drop the connection.
 */
public final class EventStreamLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long limitBytes;
  private final long seenBytes;

  EventStreamLimitException(String limit, long limitBytes, long seenBytes) {
    super(limit + " exceeded: saw at least " + seenBytes + " bytes, the limit is " + limitBytes);
    this.limit = limit;
    this.limitBytes = limitBytes;
    this.seenBytes = seenBytes;
  }

  /** The name of the limit that was broken: {@code maxLineBytes} or {@code maxEventBytes}. */
  public String limit() {
    return limit;
  }

  /** The configured limit, in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /** How many bytes the line or event had reached when the limit was broken. */
  public long seenBytes() {
    return seenBytes;
  }
}
