package dev.herald.server.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The connection under one {@link SseStream}: moves its frames and ends its response. Implemented
 * by {@link NettyTransport} (Herald's own server) and {@link ForeignTransport} (a public {@link
 * dev.herald.server.StreamTransport}). Called on the stream's event loop only.
 */
interface Transport {
  /** Writes the response head; {@code lastEventId}, if not null, as its {@code Last-Event-ID} header. */
  void start(String lastEventId);

  /** Answers 503 with {@code message}: the history could not be read. Nothing else was written. */
  void historyUnavailable(String message);

  /** Writes a live event's shared frame; the reference to {@code live.chunk()} stays the caller's. */
  void write(Pending live);

  /** Writes an encoded frame; completes {@code written} (if not null) once it is on its way, or fails it. */
  void write(byte[] frame, CompletableFuture<Void> written);

  /** Writes the heartbeat comment. */
  void writeHeartbeat();

  void flush();

  /** Whether the connection takes more now (its pending bytes are under the outbound limit). */
  boolean isWritable();

  /** False once the connection is gone: a stream that cannot write is then gone, not slow. */
  boolean isOpen();

  long pendingBytes();

  long outboundLimitBytes();

  /** The clean end of the response (last chunk, END_STREAM), then close. */
  void end();

  /** Closes at once. */
  void close();
}
