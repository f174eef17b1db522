package dev.herald.hub.console;

/**
 * Writes the chat demo's replies: streams the tokens of a reply to one message. The default is
 * {@link OfflineResponder} (built in, no network); {@link OpenAiUpstreamResponder} relays an
 * OpenAI-compatible streaming chat endpoint.
 */
public interface ChatResponder extends AutoCloseable {
  /**
   * Starts a reply to {@code message} and returns at once; the tokens go to {@code sink} later.
   *
   * @return a handle that stops the reply: after {@link Reply#cancel()} the sink may still get a
   *     call already under way, then nothing more
   */
  Reply respond(String message, Sink sink);

  /** Stops background work; replies under way end. */
  @Override
  default void close() {}

  /**
   * Receives one reply. Calls come one at a time, in order, from the responder's own thread: a
   * number of {@link #onToken} calls, then exactly one of {@link #onDone} or {@link #onError}.
   */
  interface Sink {
    void onToken(String token);

    void onDone();

    /** The reply failed; {@code reason} is safe to show to the person chatting. */
    void onError(String reason);
  }

  /** A reply under way. */
  @FunctionalInterface
  interface Reply {
    void cancel();
  }
}
