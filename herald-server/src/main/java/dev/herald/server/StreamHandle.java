package dev.herald.server;

/**
 * A topic stream opened with {@link Broker#openStream}, as its transport sees it. Thread-safe:
 * every method may be called from any thread (a container's callback, say) and hops onto the
 * stream's event loop.
 */
public interface StreamHandle {
  /** The connection takes more again (a Servlet {@code WriteListener.onWritePossible}, say): a held replay resumes. */
  void writable();

  /**
   * The connection is gone, for whatever reason, also after the transport's own {@link
   * StreamTransport#end()} or {@link StreamTransport#close()}: the stream leaves the broker,
   * releases what it held and tells the listeners. Nothing more is called on the transport.
   * Idempotent.
   */
  void closed();

  /**
   * Ends the stream from the application's side: {@link StreamTransport#end()} follows on the
   * stream's loop (or {@link StreamTransport#close()} before the response started). Idempotent.
   */
  void end();
}
