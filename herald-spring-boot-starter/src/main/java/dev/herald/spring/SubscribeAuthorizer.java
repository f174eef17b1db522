package dev.herald.spring;

import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import java.security.Principal;

/**
 * Decides whether a subscriber may follow what it asked for. Declare a bean of this type to replace
 * the default, which lets anyone follow any topic except those of
 * {@code herald.authenticated-topics}, which need an authenticated principal.
 *
 * <p>Called once per stream, before the response starts, on the thread that serves the request:
 * on Spring MVC the servlet container's request thread, where Spring Security's
 * {@code SecurityContextHolder} holds the request's {@code Authentication}; on WebFlux a Reactor
 * Netty thread (block on nothing).
 */
@FunctionalInterface
public interface SubscribeAuthorizer {
  /**
   * Returns normally to allow {@code subscription}.
   *
   * @param principal the request's principal (with Spring Security, its {@code Authentication});
   *     null if there is none
   * @throws StreamRefusedException to answer with a status of its own, as
   *     a 401 with {@code WWW-Authenticate}
   * @throws SecurityException to answer 403 with its message
   */
  void authorize(StreamRequest request, Subscription subscription, Principal principal);

  /** Allows every subscription. */
  SubscribeAuthorizer ALLOW_ALL = (request, subscription, principal) -> {};
}
