package dev.herald.spring.internal;

import java.security.Principal;
import java.util.function.Supplier;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** The servlet container's principal of the request being served, for an application without Spring Security. */
public final class ContainerPrincipal implements Supplier<Principal> {
  @Override
  public Principal get() {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    return attributes instanceof ServletRequestAttributes s ? s.getRequest().getUserPrincipal() : null;
  }
}
