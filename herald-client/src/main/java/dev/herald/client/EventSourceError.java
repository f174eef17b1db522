package dev.herald.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why a connection ended or a callback failed, and what the source does next.
 *
 * <p>The browser tells its two kinds of {@code error} apart only by {@code readyState}; this value
 * says it explicitly: {@link #willRetry()} is true when the source reconnects after
 * {@link #retryDelay()} (readyState CONNECTING), false when it is closed for good (readyState
 * CLOSED) or when only a callback failed ({@link Kind#HANDLER}, the stream goes on).
 */
public final class EventSourceError {
  /** What went wrong. */
  public enum Kind {
    /** An I/O error: refused, reset, DNS failure, a body cut mid-stream ({@link #cause()}). */
    NETWORK,
    /** The server ended the body cleanly. */
    END_OF_STREAM,
    /** No byte arrived for the configured read timeout. */
    READ_TIMEOUT,
    /** The caller asked for {@link EventSource#restart()}. */
    RESTARTED,
    /** A final status other than 200 ({@link #statusCode()}); 204 is the server's "stop". */
    HTTP_STATUS,
    /** A 200 whose {@code Content-Type} is not {@code text/event-stream} ({@link #contentType()}). */
    CONTENT_TYPE,
    /** A redirect without a usable {@code Location}, to a non-HTTP URL, or too many redirects. */
    REDIRECT,
    /** A line or an event broke the parser's size limit ({@link #cause()}). */
    EVENT_TOO_LARGE,
    /** A callback threw ({@link #cause()}); the stream goes on. */
    HANDLER
  }

  private final Kind kind;
  private final EventSource.ReadyState readyState;
  private final int statusCode;
  private final String contentType;
  private final Throwable cause;
  private final Duration retryDelay;
  private final String message;

  private EventSourceError(Kind kind, EventSource.ReadyState readyState, int statusCode,
      String contentType, Throwable cause, Duration retryDelay, String message) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.readyState = Objects.requireNonNull(readyState, "readyState");
    this.statusCode = statusCode;
    this.contentType = contentType;
    this.cause = cause;
    this.retryDelay = retryDelay;
    this.message = Objects.requireNonNull(message, "message");
  }

  /** A connection failed and the source reconnects after {@code retryDelay}. */
  public static EventSourceError retrying(Kind kind, String message, int statusCode,
      String contentType, Throwable cause, Duration retryDelay) {
    return new EventSourceError(kind, EventSource.ReadyState.CONNECTING, statusCode, contentType,
        cause, Objects.requireNonNull(retryDelay, "retryDelay"), message);
  }

  /** A connection failed and the source is closed for good. */
  public static EventSourceError closed(Kind kind, String message, int statusCode,
      String contentType, Throwable cause) {
    return new EventSourceError(kind, EventSource.ReadyState.CLOSED, statusCode, contentType,
        cause, null, message);
  }

  /** A callback threw; the connection is unaffected. */
  public static EventSourceError handler(EventSource.ReadyState readyState, Throwable cause) {
    return new EventSourceError(Kind.HANDLER, readyState, -1, null,
        Objects.requireNonNull(cause, "cause"), null, "a callback threw " + cause);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The readyState this error was raised in: CONNECTING when the source will retry, CLOSED when it
   * has given up, and for {@link Kind#HANDLER} whatever state the source was in.
   */
  public EventSource.ReadyState readyState() {
    return readyState;
  }

  /** True when the source reconnects on its own after {@link #retryDelay()}. */
  public boolean willRetry() {
    return retryDelay != null;
  }

  /** True when the source is closed for good (it never reconnects on its own again). */
  public boolean isFatal() {
    return kind != Kind.HANDLER && readyState == EventSource.ReadyState.CLOSED;
  }

  /** How long the source waits before reconnecting, when {@link #willRetry()}. */
  public Optional<Duration> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /** The HTTP status of the response, when one was received. */
  public OptionalInt statusCode() {
    return statusCode < 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  /** The response's {@code Content-Type} as sent, for {@link Kind#CONTENT_TYPE}. */
  public Optional<String> contentType() {
    return Optional.ofNullable(contentType);
  }

  /** The exception behind the error, for I/O errors, size limits and failing callbacks. */
  public Optional<Throwable> cause() {
    return Optional.ofNullable(cause);
  }

  /** A readable description. */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("EventSourceError{").append(kind).append(", ")
        .append(readyState);
    if (statusCode >= 0) s.append(", status=").append(statusCode);
    if (contentType != null) s.append(", contentType=").append(contentType);
    if (retryDelay != null) s.append(", retryIn=").append(retryDelay.toMillis()).append("ms");
    // The message is often the cause's own (a size limit, an I/O error): name the cause's type
    // then, rather than printing the same text twice.
    if (cause != null) {
      String causeMessage = cause.getMessage();
      boolean repeated = causeMessage != null && message.contains(causeMessage);
      s.append(", cause=").append(repeated ? cause.getClass().getName() : cause.toString());
    }
    return s.append(", ").append(message).append('}').toString();
  }
}
