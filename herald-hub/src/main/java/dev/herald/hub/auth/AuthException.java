package dev.herald.hub.auth;

/**
 * A request's token is unreadable or invalid ({@code 401 invalid_token}), or presented in a
 * malformed way ({@code 400 invalid_request}, RFC 6750 3.1: repeated, empty, not Bearer): answer
 * {@link #status()} with {@link #challenge()} as the {@code WWW-Authenticate} header.
 *
 * <p>The message is fixed text chosen by Herald, safe to send to the client and to log: it never
 * contains the token, the secret or the key.
 */
public final class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The RFC 6750 error: what was wrong, and the status that says it. */
  public enum Kind {
    /** The token is malformed, expired, wrongly signed or carries bad claims. */
    INVALID_TOKEN(401, "invalid_token"),
    /** The token's presentation is malformed: repeated, empty, or not a Bearer credential. */
    INVALID_REQUEST(400, "invalid_request");

    private final int status;
    private final String code;

    Kind(int status, String code) {
      this.status = status;
      this.code = code;
    }
  }

  private final Kind kind;

  AuthException(String message) {
    this(Kind.INVALID_TOKEN, message);
  }

  AuthException(Kind kind, String message) {
    super(message, null, false, false); // expected, frequent, and the trace says nothing useful
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status to answer with. */
  public int status() {
    return kind.status;
  }

  /** The RFC 6750 {@code WWW-Authenticate} value: {@code Bearer ..., error="invalid_token", ...}. */
  public String challenge() {
    return Authorizer.errorChallenge(kind.code, getMessage());
  }
}
