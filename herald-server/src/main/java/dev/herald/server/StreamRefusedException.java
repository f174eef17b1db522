package dev.herald.server;

import java.util.Map;

/**
 * Thrown by a {@link TopicSelector} to refuse a stream with a given status, a one-line reason and
 * headers: a {@code 401} with {@code WWW-Authenticate}, say.
 */
public final class StreamRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  public StreamRefusedException(int status, String message, Map<String, String> headers) {
    super(message);
    if (status < 400 || status > 599) throw new IllegalArgumentException("status must be 4xx or 5xx: " + status);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public StreamRefusedException(int status, String message) {
    this(status, message, Map.of());
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
