package dev.herald.hub.auth;

import static dev.herald.hub.auth.TestKeys.NOW;
import static dev.herald.hub.auth.TestKeys.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.protocol.Event;
import dev.herald.server.StoredEvent;
import dev.herald.server.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private final JwtVerifier verifier = JwtVerifier.hs256(SECRET).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
  private final Authorizer authorizer = Authorizer.of(verifier);

  private static Map<String, List<String>> bearer(String token) {
    return Map.of("authorization", List.of("Bearer " + token));
  }

  private Authorization legacy(List<String> publish, List<String> subscribe) {
    return verifier.verify(TestKeys.hs256(TestKeys.legacy(publish, subscribe)));
  }

  @Test
  void everyTopicOfAnUpdateMustBeCovered() {
    Authorization books = legacy(List.of("https://example.com/books/{id}", "https://example.com/authors/1"), List.of());
    assertThat(authorizer.canPublish(books, List.of("https://example.com/books/1"))).isTrue();
    assertThat(authorizer.canPublish(books, List.of("https://example.com/books/1", "https://example.com/books/2",
        "https://example.com/authors/1"))).isTrue();
    assertThat(authorizer.canPublish(books, List.of("https://example.com/books/1", "https://example.com/authors/2"))).isFalse();
    assertThat(authorizer.canPublish(books, List.of())).isFalse();
    assertThat(authorizer.canPublish(Authorization.NONE, List.of("https://example.com/books/1"))).isFalse();
    assertThat(authorizer.canPublish(legacy(List.of("*"), List.of()), List.of("a", "b"))).isTrue();
  }

  @Test
  void privateUpdatesReachOnlySubscribersWhoseTokenCoversOneOfTheirTopics() {
    Authorization alice = legacy(List.of(), List.of("https://example.com/users/alice/{+rest}"));
    Subscription subscription = new Subscription(Set.of(), List.of(MercureSelector.template("*")), authorizer.privateTopics(alice));
    assertThat(subscription.matches(event(true, "https://example.com/users/alice/inbox"))).isTrue();
    assertThat(subscription.matches(event(true, "https://example.com/books/1", "https://example.com/users/alice/x"))).isTrue();
    assertThat(subscription.matches(event(true, "https://example.com/users/bob/inbox"))).isFalse();
    assertThat(subscription.matches(event(false, "https://example.com/users/bob/inbox"))).isTrue();
    Subscription anonymous = new Subscription(Set.of(), List.of(MercureSelector.template("*")), authorizer.privateTopics(Authorization.NONE));
    assertThat(anonymous.matches(event(true, "https://example.com/users/alice/inbox"))).isFalse();
  }

  private static StoredEvent event(boolean privateUpdate, String... topics) {
    return StoredEvent.of("1", 1, List.of(topics), Event.of("x"), 0, privateUpdate);
  }

  @Test
  void authenticatesBothRolesWithTheirOwnKeys() {
    byte[] subscriberSecret = "the-subscriber-secret-is-different!!".getBytes(StandardCharsets.UTF_8);
    Authorizer split = Authorizer.of(verifier, JwtVerifier.hs256(subscriberSecret).withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
    String publisherToken = TestKeys.hs256(TestKeys.legacy(List.of("*"), List.of()));
    assertThat(split.authenticatePublisher(bearer(publisherToken), Map.of())).isPresent();
    assertThatThrownBy(() -> split.authenticateSubscriber(bearer(publisherToken), Map.of())).isInstanceOf(AuthException.class);
    String subscriberToken = TestKeys.sign(TestKeys.hmac(subscriberSecret), com.nimbusds.jose.JWSAlgorithm.HS256,
        TestKeys.legacy(List.of(), List.of("*")));
    assertThat(split.authenticateSubscriber(bearer(subscriberToken), Map.of())).isPresent();
  }

  @Test
  void noTokenIsAnonymousNotAnError() {
    assertThat(authorizer.authenticateSubscriber(Map.of(), Map.of())).isEmpty();
    assertThat(authorizer.authenticatePublisher(Map.of(), Map.of())).isEmpty();
  }

  @Test
  void queryTokensWorkOnlyWhenEnabled() {
    String token = TestKeys.hs256(TestKeys.legacy(List.of(), List.of("*")));
    Map<String, List<String>> query = Map.of("authorization", List.of(token));
    assertThat(authorizer.authenticateSubscriber(Map.of(), query)).isEmpty();
    Authorizer enabled = authorizer.withTokenExtractor(TokenExtractor.defaults().withQueryParameter(true));
    assertThat(enabled.authenticateSubscriber(Map.of(), query)).isPresent();
  }

  @Test
  void cookiePublishingNeedsAnAllowedOrigin() {
    String token = TestKeys.hs256(TestKeys.legacy(List.of("*"), List.of()));
    String cookie = "mercureAuthorization=" + token;
    assertThatThrownBy(() -> authorizer.authenticatePublisher(Map.of("Cookie", List.of(cookie)), Map.of()))
        .isInstanceOf(AuthException.class).hasMessageContaining("Origin or Referer");
    Map<String, List<String>> fromApp = Map.of("Cookie", List.of(cookie), "Origin", List.of("https://app.example.com"));
    assertThatThrownBy(() -> authorizer.authenticatePublisher(fromApp, Map.of())).hasMessage("this origin may not publish with the cookie");
    Authorizer allowing = authorizer.withPublishOrigins(Set.of("https://app.example.com"));
    assertThat(allowing.authenticatePublisher(fromApp, Map.of())).isPresent();
    Map<String, List<String>> referred = Map.of("Cookie", List.of(cookie), "Referer", List.of("https://app.example.com/page?x=1"));
    assertThat(allowing.authenticatePublisher(referred, Map.of())).isPresent();
    Map<String, List<String>> evil = Map.of("Cookie", List.of(cookie), "Origin", List.of("https://evil.example.com"));
    assertThatThrownBy(() -> allowing.authenticatePublisher(evil, Map.of())).isInstanceOf(AuthException.class);
    assertThat(authorizer.withPublishOrigins(Set.of("*")).authenticatePublisher(evil, Map.of())).isPresent();
    // subscribing with the cookie needs no origin: a GET changes nothing
    assertThat(authorizer.authenticateSubscriber(Map.of("Cookie", List.of(cookie)), Map.of())).isPresent();
  }

  @Test
  void challengesFollowRfc6750() {
    assertThat(Authorizer.challenge()).isEqualTo("Bearer realm=\"herald\"");
    assertThat(Authorizer.invalidTokenChallenge("token expired"))
        .isEqualTo("Bearer realm=\"herald\", error=\"invalid_token\", error_description=\"token expired\"");
    assertThat(Authorizer.insufficientScopeChallenge("cannot publish to \"x\"\n"))
        .isEqualTo("Bearer realm=\"herald\", error=\"insufficient_scope\", error_description=\"cannot publish to ?x??\"");
    AuthException e = new AuthException("token expired");
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.challenge()).isEqualTo(Authorizer.invalidTokenChallenge("token expired"));
  }
}
