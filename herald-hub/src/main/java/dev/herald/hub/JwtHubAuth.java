package dev.herald.hub;

import dev.herald.hub.auth.Authorization;
import dev.herald.hub.auth.Authorizer;
import dev.herald.server.TopicPattern;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** {@link HubAuth} on the JWT {@link Authorizer}. */
final class JwtHubAuth implements HubAuth {
  private final Authorizer authorizer;

  JwtHubAuth(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  @Override
  public Optional<Access> publisher(Map<String, List<String>> headers, Map<String, List<String>> query) {
    return verify(() -> authorizer.authenticatePublisher(headers, query));
  }

  @Override
  public Optional<Access> subscriber(Map<String, List<String>> headers, Map<String, List<String>> query) {
    return verify(() -> authorizer.authenticateSubscriber(headers, query));
  }

  @Override
  public String challenge(String reason) {
    return Authorizer.invalidTokenChallenge(reason);
  }

  @Override
  public String missingTokenChallenge() {
    return Authorizer.challenge();
  }

  @Override
  public String insufficientScopeChallenge(String reason) {
    return Authorizer.insufficientScopeChallenge(reason);
  }

  private Optional<Access> verify(java.util.function.Supplier<Optional<Authorization>> check) {
    try {
      return check.get().map(a -> new Access(List.<TopicPattern>copyOf(a.publish()), authorizer.privateTopics(a),
          a.expiresAt().orElse(null)));
    } catch (dev.herald.hub.auth.AuthException e) {
      // Fully qualified: HubAuth.AuthException, inherited as a member type, shadows an import.
      throw new HubAuth.AuthException(e.getMessage());
    }
  }

  static final Function<String, TopicPattern> SELECTORS = dev.herald.hub.auth.MercureSelector::template;
  static final Function<String, TopicPattern> URL_PATTERNS = dev.herald.hub.auth.MercureSelector::urlPattern;
}
