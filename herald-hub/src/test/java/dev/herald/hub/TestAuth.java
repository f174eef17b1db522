package dev.herald.hub;

import dev.herald.hub.auth.Authorizer;
import dev.herald.hub.auth.DevKeys;
import dev.herald.hub.auth.JwtVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Real JWT authorisation for the HTTP tests: one HS256 secret and tokens minted with it, each
 * named by what it allows ({@code *} is every topic, {@code a} the topic {@code a}).
 */
final class TestAuth {
  static final String SECRET = "hub-test-hs256-secret-0123456789abcdefgh";
  private static final Instant EXPIRY = Instant.now().plus(Duration.ofDays(1));

  /** May publish to every topic. */
  static final String PUB_ALL = token(List.of("*"), List.of());
  /** May publish to topic {@code a} only. */
  static final String PUB_A = token(List.of("a"), List.of());
  /** Receives every private update. */
  static final String SUB_ALL = token(List.of(), List.of("*"));

  private TestAuth() {}

  static Authorizer authorizer() {
    return Authorizer.of(JwtVerifier.hs256(SECRET));
  }

  static String token(List<String> publish, List<String> subscribe) {
    return DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), publish, subscribe, EXPIRY);
  }
}
