package dev.herald.hub;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Authenticates hub requests: finds the token, verifies it, and says what it allows. */
interface HubAuth {
  /**
   * The access a publish request's token grants (verified with the publisher key); empty when it
   * carries no token.
   *
   * @throws AuthException when a token is present but invalid (a 401)
   */
  Optional<Access> publisher(Map<String, List<String>> headers, Map<String, List<String>> query);

  /** As {@link #publisher}, for a subscribe request, with the subscriber key. */
  Optional<Access> subscriber(Map<String, List<String>> headers, Map<String, List<String>> query);

  /** The {@code WWW-Authenticate} value for a 401 whose token was invalid, with this reason. */
  String challenge(String reason);

  /** The {@code WWW-Authenticate} value for a 401 without a token: no error code (RFC 6750 3.1). */
  default String missingTokenChallenge() {
    return "Bearer realm=\"herald\"";
  }

  /** The {@code WWW-Authenticate} value for a 403: a valid token that does not cover the request. */
  default String insufficientScopeChallenge(String reason) {
    return "Bearer realm=\"herald\", error=\"insufficient_scope\"";
  }

  /** A 401: no usable token. The message is safe to show to the client. */
  final class AuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AuthException(String message) {
      super(message);
    }
  }
}
