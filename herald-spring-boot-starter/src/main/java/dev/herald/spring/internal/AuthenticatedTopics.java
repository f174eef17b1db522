package dev.herald.spring.internal;

import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicPattern;
import dev.herald.spring.SubscribeAuthorizer;
import java.security.Principal;
import java.util.List;

/**
 * The default {@link SubscribeAuthorizer}: topics matching one of the configured globs need an
 * authenticated principal (401 without one); a pattern subscription, which could reach them, needs
 * one too. With no globs configured, everything is allowed.
 */
public final class AuthenticatedTopics implements SubscribeAuthorizer {
  private final List<TopicPattern> protectedTopics;
  private final PrincipalCheck authenticated;

  /** Whether a principal counts as authenticated (Spring Security's anonymous one does not). */
  @FunctionalInterface
  public interface PrincipalCheck {
    boolean isAuthenticated(Principal principal);
  }

  public AuthenticatedTopics(List<String> globs, PrincipalCheck authenticated) {
    this.protectedTopics = globs.stream().map(TopicPattern::glob).toList();
    this.authenticated = authenticated;
  }

  @Override
  public void authorize(StreamRequest request, Subscription subscription, Principal principal) {
    if (protectedTopics.isEmpty() || (principal != null && authenticated.isAuthenticated(principal))) return;
    for (String topic : subscription.topics()) {
      for (TopicPattern p : protectedTopics) {
        if (p.matches(topic)) throw unauthorized("topic " + topic + " needs an authenticated subscriber");
      }
    }
    if (!subscription.patterns().isEmpty()) {
      throw unauthorized("pattern subscriptions need an authenticated subscriber: some topics are protected");
    }
  }

  private static StreamRefusedException unauthorized(String message) {
    return new StreamRefusedException(401, message);
  }
}
