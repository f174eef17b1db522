package dev.herald.spring.internal;

import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import dev.herald.spring.SubscribeAuthorizer;
import java.security.Principal;
import java.util.function.Supplier;

/**
 * A selector whose subscriptions pass the application's {@link SubscribeAuthorizer} first, with
 * the principal of the request being served.
 */
public final class AuthorizingSelector implements TopicSelector {
  private final TopicSelector selector;
  private final SubscribeAuthorizer authorizer;
  private final Supplier<Principal> principal;

  /**
   * @param principal the current request's principal, or null; called on the request's thread
   */
  public AuthorizingSelector(TopicSelector selector, SubscribeAuthorizer authorizer, Supplier<Principal> principal) {
    this.selector = selector;
    this.authorizer = authorizer;
    this.principal = principal;
  }

  @Override
  public Subscription select(StreamRequest request) {
    Subscription subscription = selector.select(request);
    authorizer.authorize(request, subscription, principal.get());
    return subscription;
  }
}
