package dev.herald.hub.auth;

import static dev.herald.hub.auth.TestKeys.NOW;
import static dev.herald.hub.auth.TestKeys.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two claim shapes a token may carry, read through the verifier. */
class MercureClaimsTest {
  private final JwtVerifier verifier = JwtVerifier.hs256(SECRET).withClock(Clock.fixed(NOW, ZoneOffset.UTC));

  private Authorization verify(JWTClaimsSet claims) {
    return verifier.verify(TestKeys.hs256(claims));
  }

  @Test
  void legacyMercureClaimHoldsTemplateSelectors() {
    Authorization a = verify(TestKeys.claims()
        .subject("user-1")
        .claim("mercure", Map.of(
            "publish", List.of("https://example.com/books/{id}"),
            "subscribe", List.of("https://example.com/users/1/{+rest}", "*"),
            "payload", Map.of("user", "https://example.com/users/1")))
        .build());
    assertThat(a.publish()).containsExactly(MercureSelector.template("https://example.com/books/{id}"));
    assertThat(a.subscribe()).containsExactly(
        MercureSelector.template("https://example.com/users/1/{+rest}"), MercureSelector.template("*"));
    assertThat(a.subject()).contains("user-1");
    assertThat(a.payloadFor("https://example.com/anything")).contains("{\"user\":\"https://example.com/users/1\"}");
  }

  @Test
  void legacyClaimMayOmitEitherList() {
    Authorization a = verify(TestKeys.claims().claim("mercure", Map.of("subscribe", List.of("a"))).build());
    assertThat(a.publish()).isEmpty();
    assertThat(a.subscribe()).containsExactly(MercureSelector.template("a"));
    assertThat(a.payloads()).isEmpty();
  }

  @Test
  void aTokenWithoutMercureClaimsGrantsNothing() {
    Authorization a = verify(TestKeys.claims().build());
    assertThat(a.publish()).isEmpty();
    assertThat(a.subscribe()).isEmpty();
  }

  @Test
  void authorizationDetailsHoldTypedSelectors() {
    Authorization a = verify(TestKeys.claims().claim("authorization_details", List.of(
        Map.of("type", "mercure", "actions", List.of("publish", "subscribe"),
            "topics", List.of(Map.of("match", "https://example.com/books/{id}"))),
        Map.of("type", "mercure", "actions", List.of("subscribe"),
            "topics", List.of(Map.of("match", "https://example.com/users/:id", "matchType", "URLPattern")),
            "payload", Map.of("tenant", "acme")),
        Map.of("type", "payment_initiation", "actions", List.of("pay")))).build());
    assertThat(a.publish()).containsExactly(MercureSelector.exact("https://example.com/books/{id}"));
    assertThat(a.subscribe()).containsExactly(
        MercureSelector.exact("https://example.com/books/{id}"), MercureSelector.urlPattern("https://example.com/users/:id"));
    // 1.0 Exact is exact: the braces are not a template
    assertThat(a.subscribe().get(0).matches("https://example.com/books/1")).isFalse();
    assertThat(a.payloadFor("https://example.com/users/:id")).contains("{\"tenant\":\"acme\"}");
    assertThat(a.payloadFor("https://example.com/books/{id}")).isEmpty();
  }

  @Test
  void authorizationDetailsWinOverTheLegacyClaim() {
    Authorization a = verify(TestKeys.claims()
        .claim("mercure", Map.of("publish", List.of("*")))
        .claim("authorization_details", List.of(Map.of("type", "mercure", "actions", List.of("subscribe"),
            "topics", List.of(Map.of("match", "*")))))
        .build());
    assertThat(a.publish()).isEmpty();
    assertThat(a.subscribe()).containsExactly(MercureSelector.exact("*"));
  }

  @Test
  void anyMalformedGrantRejectsTheWholeToken() {
    Map<String, Object> good = Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of(Map.of("match", "*")));
    List<Object> bad = List.of(
        "mercure",
        Map.of("actions", List.of("publish"), "topics", List.of(Map.of("match", "*"))),
        Map.of("type", "mercure", "actions", List.of(), "topics", List.of(Map.of("match", "*"))),
        Map.of("type", "mercure", "actions", List.of(7), "topics", List.of(Map.of("match", "*"))),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of()),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of("*")),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of(Map.of("match", 1))),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of(Map.of("match", "*", "matchType", "Regex"))),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of(Map.of("match", "*", "match_type", "regex"))),
        // Matcher type names are case-sensitive: URLPattern is the earlier spelling's, under matchType only.
        Map.of("type", "mercure", "actions", List.of("publish"), "topics", List.of(Map.of("match", "*", "match_type", "URLPattern"))),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics",
            List.of(Map.of("match", "*", "match_type", "exact", "matchType", "Exact"))),
        Map.of("type", "mercure", "actions", List.of("publish"), "topics",
            List.of(Map.of("match", "https://example.com/(\\d+)", "matchType", "URLPattern"))),
        Map.of("type", "mercure", "actions", List.of("subscribe"), "topics", List.of(Map.of("match", "*")), "payload", "text"));
    for (Object entry : bad) {
      JWTClaimsSet claims = TestKeys.claims().claim("authorization_details", List.of(good, entry)).build();
      assertThatThrownBy(() -> verify(claims)).as("%s", entry).isInstanceOf(AuthException.class)
          .hasMessageStartingWith("invalid claims: ");
    }
    assertThatThrownBy(() -> verify(TestKeys.claims().claim("authorization_details", "mercure").build()))
        .isInstanceOf(AuthException.class);
  }

  @Test
  void malformedLegacyClaimsRejectTheToken() {
    List<Object> bad = List.of("publish", Map.of("publish", "*"), Map.of("subscribe", List.of(1)),
        Map.of("publish", List.of("https://example.com/{id")));
    for (Object mercure : bad) {
      assertThatThrownBy(() -> verify(TestKeys.claims().claim("mercure", mercure).build())).as("%s", mercure)
          .isInstanceOf(AuthException.class).hasMessageStartingWith("invalid claims: ");
    }
  }

  @Test
  void tooManySelectorsRejectTheToken() {
    List<String> many = java.util.stream.IntStream.rangeClosed(0, MercureClaims.MAX_SELECTORS).mapToObj(i -> "t" + i).toList();
    assertThatThrownBy(() -> verify(TestKeys.claims().claim("mercure", Map.of("subscribe", many)).build()))
        .hasMessageContaining("more than " + MercureClaims.MAX_SELECTORS);
  }

  @Test
  void authorizationDetailsAsTheSpecificationAndTheReferenceHubWriteThem() {
    // The reference hub's type and matcher members, as its documentation's example token has them.
    Authorization a = verify(TestKeys.claims().claim("authorization_details", List.of(
        Map.of("type", "https://mercure.rocks/authorization-detail", "actions", List.of("publish"),
            "topics", List.of(Map.of("match", "*"))),
        Map.of("type", "https://mercure.rocks/authorization-detail", "actions", List.of("subscribe"),
            "topics", List.of(Map.of("match", "https://example.com/users/42/notifications"),
                Map.of("match", "https://example.com/books/:id", "match_type", "urlpattern")),
            "payload", Map.of("user", "https://example.com/users/42")))).build());
    assertThat(a.publish()).containsExactly(MercureSelector.exact("*"));
    assertThat(a.subscribe()).containsExactly(MercureSelector.exact("https://example.com/users/42/notifications"),
        MercureSelector.urlPattern("https://example.com/books/:id"));
    assertThat(a.subscribe().get(1).matches("https://example.com/books/7")).isTrue();
    assertThat(a.payloadFor("https://example.com/books/:id")).contains("{\"user\":\"https://example.com/users/42\"}");

    // The draft's own type name, with match_type written out: exact.
    Authorization spec = verify(TestKeys.claims().claim("authorization_details", List.of(
        Map.of("type", "mercure", "actions", List.of("subscribe"),
            "topics", List.of(Map.of("match", "https://example.com/books/1", "match_type", "exact")))))
        .build());
    assertThat(spec.subscribe()).containsExactly(MercureSelector.exact("https://example.com/books/1"));
  }

  @Test
  void actionsOfLaterVersionsGrantNothingAndLeaveTheTokenValid() {
    Authorization a = verify(TestKeys.claims().claim("authorization_details", List.of(
        Map.of("type", "https://mercure.rocks/authorization-detail", "actions", List.of("subscribe", "observe"),
            "topics", List.of(Map.of("match", "a"))),
        Map.of("type", "https://mercure.rocks/authorization-detail", "actions", List.of("delete"),
            "topics", List.of(Map.of("match", "b"))))).build());
    assertThat(a.subscribe()).containsExactly(MercureSelector.exact("a"));
    assertThat(a.publish()).isEmpty();
  }

  @Test
  void legacyClaimEntriesMayBeMatcherObjectsAsTheHub10WritesThem() {
    Authorization a = verify(TestKeys.claims().claim("mercure", Map.of(
        "publish", List.of(Map.of("match", "https://example.com/books/:id", "match_type", "urlpattern"), "https://example.com/{x}"),
        "subscribe", List.of(Map.of("match", "https://example.com/books/{id}"),
            Map.of("match", "https://example.com/authors/:id", "match_type", "urlpattern", "payload", Map.of("k", "v"))),
        "payload", Map.of("fallback", true))).build());
    assertThat(a.publish()).containsExactly(MercureSelector.urlPattern("https://example.com/books/:id"),
        MercureSelector.template("https://example.com/{x}"));
    // An object without match_type is exact: the braces are literal.
    assertThat(a.subscribe().get(0)).isEqualTo(MercureSelector.exact("https://example.com/books/{id}"));
    assertThat(a.payloadFor("https://example.com/authors/:id")).contains("{\"k\":\"v\"}");
    assertThat(a.payloadFor("https://example.com/books/{id}")).contains("{\"fallback\":true}");
    assertThatThrownBy(() -> verify(TestKeys.claims().claim("mercure", Map.of("publish",
        List.of(Map.of("match", "*", "match_type", "regex")))).build())).hasMessageStartingWith("invalid claims: ");
  }
}
