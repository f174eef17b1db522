package dev.herald.hub.auth;

/**
 * A request's token is missing where one is required, unreadable, or invalid: answer {@code 401}
 * with {@link #challenge()} as the {@code WWW-Authenticate} header.
 *
 * <p>The message is fixed text chosen by Herald, safe to send to the client and to log: it never
 * contains the token, the secret or the key.
 */
public final class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AuthException(String message) {
    super(message, null, false, false); // expected, frequent, and the trace says nothing useful
  }

  /** The HTTP status to answer with. */
  public int status() {
    return 401;
  }

  /** The RFC 6750 {@code WWW-Authenticate} value: {@code Bearer ..., error="invalid_token", ...}. */
  public String challenge() {
    return Authorizer.invalidTokenChallenge(getMessage());
  }
}
