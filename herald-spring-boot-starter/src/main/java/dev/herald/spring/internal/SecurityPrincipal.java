package dev.herald.spring.internal;

import java.security.Principal;
import java.util.function.Supplier;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Spring Security's current {@code Authentication} as the request's principal (null when anonymous
 * or absent). A class of its own: loaded only when Spring Security is on the class path.
 */
public final class SecurityPrincipal implements Supplier<Principal> {
  @Override
  public Principal get() {
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    return a == null || a instanceof AnonymousAuthenticationToken ? null : a;
  }
}
