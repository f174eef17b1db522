package dev.herald.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevKeysTest {
  @Test
  void mintsAPublisherAndASubscriberTokenForARandomSecret() {
    DevKeys keys = DevKeys.generate();
    Authorizer authorizer = Authorizer.of(keys.verifier());
    Authorization publisher = authorizer.authenticatePublisher(Map.of("Authorization", List.of("Bearer " + keys.publisherToken())), Map.of()).orElseThrow();
    assertThat(authorizer.canPublish(publisher, List.of("https://example.com/anything", "urn:x"))).isTrue();
    assertThat(publisher.subscribe()).isEmpty();
    Authorization subscriber = keys.verifier().verify(keys.subscriberToken());
    assertThat(subscriber.publish()).isEmpty();
    assertThat(authorizer.privateTopics(subscriber)).singleElement().satisfies(p -> assertThat(p.matches("urn:x")).isTrue());
    assertThat(subscriber.expiresAt()).hasValueSatisfying(exp ->
        assertThat(exp).isAfter(Instant.now().plus(DevKeys.TOKEN_LIFETIME).minusSeconds(60)));
  }

  @Test
  void secretsAreRandomLongEnoughAndNeverPrinted() {
    DevKeys a = DevKeys.generate();
    DevKeys b = DevKeys.generate();
    assertThat(a.secret()).hasSize(43).isNotEqualTo(b.secret());
    assertThat(a.toString()).doesNotContain(a.secret()).doesNotContain(a.publisherToken());
    assertThatThrownBy(() -> b.verifier().verify(a.publisherToken())).isInstanceOf(AuthException.class);
  }

  @Test
  void mintingRefusesShortSecrets() {
    assertThatThrownBy(() -> DevKeys.hs256Token(new byte[16], List.of("*"), List.of(), Instant.now()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
