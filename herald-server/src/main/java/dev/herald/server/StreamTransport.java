package dev.herald.server;

import java.nio.ByteBuffer;

/**
 * What a transport other than Herald's own server (a Servlet container, a reactive web server)
 * implements to serve a topic stream opened with {@link Broker#openStream}. Herald keeps the
 * stream's semantics (register before replay, {@code Last-Event-ID} replay and the
 * {@code history-cut} event, private updates, heartbeats, slow consumers, {@link
 * Subscription#endsAt()}, the end after a gap in the log, the {@code retry:} hint at shutdown); the
 * transport only moves bytes and ends the response.
 *
 * <p><b>Thread.</b> Every method is called on the one broker event loop the stream was assigned to,
 * one call at a time, never before {@link Broker#openStream} returned. Implementations must not
 * block: queue what the connection cannot take now.
 *
 * <p><b>Order.</b> The first call is {@link #start} or {@link #historyUnavailable}. After
 * {@code start}, frames are written in the order they must reach the client; {@link #flush} asks
 * for everything written so far to be sent. After {@link #end}, {@link #close} or
 * {@link #historyUnavailable} nothing more is called, except possibly {@code close} after {@code
 * end}. Whoever closes the connection, the transport then calls {@link StreamHandle#closed()}.
 *
 * <p><b>Buffers.</b> A frame is a read-only {@link ByteBuffer} over the bytes of one or more
 * complete SSE lines (UTF-8, LF line ends). The bytes are shared with every other subscriber of the
 * same event and never modified or reused, so a transport may keep the buffer until it is written;
 * the buffer object (its position and limit) is this call's own. Herald makes no copy per
 * subscriber; a transport that must own its bytes copies them.
 */
public interface StreamTransport {
  /**
   * Writes the response head: status 200, {@code Content-Type: text/event-stream; charset=utf-8},
   * {@code Cache-Control: no-store}, {@code X-Accel-Buffering: no}, and, when {@code lastEventId}
   * is not null, that value as the {@code Last-Event-ID} response header (Mercure's answer to a
   * resume: {@code earliest} when the requested id is no longer, or never was, in the log; as its
   * UTF-8 bytes). The first frame follows at once; the head may wait for it.
   */
  void start(String lastEventId);

  /**
   * The history could not be read, and nothing was written: answer {@code 503} with {@code
   * Retry-After: 1} and {@code message} (one line of text) as the body, then close.
   */
  void historyUnavailable(String message);

  /** Writes one frame (see the class comment for whose the buffer is); sent at the next {@link #flush}. */
  void write(ByteBuffer frame);

  /** Sends what was written. */
  void flush();

  /**
   * Whether the connection takes more now. False once the bytes written and not yet accepted by the
   * peer pass {@link #outboundLimitBytes()}; it turns true again (and the transport calls {@link
   * StreamHandle#writable()}) when they drop well below it. A live event that finds the stream not
   * writable cuts it as a slow consumer; a replay waits. A transport whose connection is gone
   * answers true and drops what it is given until it has reported {@link StreamHandle#closed()}, so
   * a peer that left is not counted as slow.
   */
  boolean isWritable();

  /** Bytes written and not yet accepted by the peer, for the slow-consumer log and listeners. */
  long pendingBytes();

  /**
   * The most bytes this stream may have waiting: written and not yet accepted, or held back while
   * its history is read. Above it, the stream is cut as a slow consumer.
   */
  long outboundLimitBytes();

  /** Ends the response cleanly once what was written is sent (the last chunk, say), then closes. */
  void end();

  /** Closes the connection now, without a clean end: a slow consumer, or a stream that never started. */
  void close();
}
