package dev.herald.hub;

import dev.herald.server.TopicPattern;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tokens by name, so HTTP behaviour is tested apart from JWT verification. */
final class FakeAuth implements HubAuth {
  static TopicPattern selector(String s) {
    return s.equals("*") ? t -> true : s::equals;
  }

  @Override
  public Optional<Access> publisher(Map<String, List<String>> headers, Map<String, List<String>> query) {
    return subscriber(headers, query);
  }

  @Override
  public Optional<Access> subscriber(Map<String, List<String>> headers, Map<String, List<String>> query) {
    List<String> auth = headers.get("authorization");
    if (auth == null || auth.isEmpty()) return Optional.empty();
    String token = auth.get(0).substring("Bearer ".length());
    switch (token) {
      case "pub-all": return Optional.of(new Access(List.of(selector("*")), List.of()));
      case "pub-a": return Optional.of(new Access(List.of(selector("a")), List.of()));
      case "sub-all": return Optional.of(new Access(List.of(), List.of(selector("*"))));
      default: throw new AuthException("invalid token");
    }
  }

  @Override
  public String challenge(String reason) {
    return "Bearer realm=\"herald\", error=\"invalid_token\"";
  }
}
