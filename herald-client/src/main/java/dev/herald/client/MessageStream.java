package dev.herald.client;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The pull style: events taken one by one by the consuming thread, with back-pressure. Made by
 * {@link EventSource.Builder#buildStream(int)}.
 *
 * <p>Use it when a back-end thread processes events in a loop (a worker, a request handler relaying
 * an LLM reply, a test): it blocks while nothing is there, and when the consumer falls behind the
 * source stops reading the socket once its buffer is full, so TCP slows the server down. Use the
 * push style ({@link EventSource.Builder#build()}) for UI-like fan-out to several handlers by event
 * type, where callbacks are quick and must never hold up the reading.
 *
 * <p>The iterator ends ({@link #hasNext()} returns false) once the source is CLOSED and the events
 * read before that have been taken; after {@link #close()} buffered events are dropped. Reconnections
 * are invisible here except through the builder's error handler. Meant for one consuming thread.
 */
public interface MessageStream extends Iterator<MessageEvent>, AutoCloseable {
  /** The source behind this stream, for its state, {@code lastEventId()} and {@code restart()}. */
  EventSource source();

  /**
   * Blocks until an event is available (true) or the source is closed with no event left (false).
   * A thread interrupted while waiting returns false with its interrupt flag set.
   */
  @Override
  boolean hasNext();

  /**
   * The next event, blocking until one arrives.
   *
   * @throws NoSuchElementException when the source is closed with no event left
   */
  @Override
  MessageEvent next();

  /**
   * The next event, waiting at most {@code timeout}; null when none arrived in time or the source
   * is closed with no event left.
   */
  MessageEvent poll(Duration timeout) throws InterruptedException;

  /** Closes the source; same as {@code source().close()}. */
  @Override
  void close();
}
