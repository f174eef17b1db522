package dev.herald.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.hub.auth.TokenExtractor.Source;
import dev.herald.hub.auth.TokenExtractor.Token;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenExtractorTest {
  private final TokenExtractor extractor = TokenExtractor.defaults();

  private static Map<String, List<String>> headers(String... nameValues) {
    java.util.LinkedHashMap<String, List<String>> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      map.computeIfAbsent(nameValues[i], k -> new java.util.ArrayList<>()).add(nameValues[i + 1]);
    }
    return map;
  }

  @Test
  void readsTheBearerHeaderInAnyCase() {
    assertThat(extractor.extract(headers("Authorization", "Bearer abc.def.ghi"), Map.of()))
        .contains(new Token("abc.def.ghi", Source.AUTHORIZATION_HEADER, "Authorization"));
    assertThat(extractor.extract(headers("authorization", "bearer   abc "), Map.of())).map(Token::value).contains("abc");
    assertThat(extractor.extract(headers("AUTHORIZATION", "BEARER abc"), Map.of())).map(Token::value).contains("abc");
  }

  @Test
  void refusesAnAuthorizationHeaderThatIsNotOneBearerToken() {
    assertThatThrownBy(() -> extractor.extract(headers("Authorization", "Basic dXNlcjpwYXNz"), Map.of()))
        .isInstanceOf(AuthException.class).hasMessage("the Authorization header must use the Bearer scheme");
    assertThatThrownBy(() -> extractor.extract(headers("Authorization", "Bearer "), Map.of()))
        .isInstanceOf(AuthException.class);
    assertThatThrownBy(() -> extractor.extract(headers("Authorization", "Bearer a", "Authorization", "Bearer b"), Map.of()))
        .hasMessage("several Authorization headers");
  }

  @Test
  void aMalformedPresentationIsAnInvalidRequestNotAnInvalidToken() {
    // RFC 6750 3.1: a repeated, empty or non-Bearer credential is a 400 invalid_request.
    for (Map<String, List<String>> h : List.of(headers("Authorization", "Basic dXNlcjpwYXNz"), headers("Authorization", "Bearer "),
        headers("Authorization", "Bearer a", "Authorization", "Bearer b"))) {
      assertThatThrownBy(() -> extractor.extract(h, Map.of())).isInstanceOfSatisfying(AuthException.class, e -> {
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.challenge()).startsWith("Bearer realm=\"herald\", error=\"invalid_request\"");
      });
    }
  }

  @Test
  void readsTheLegacyAndThe10Cookies() {
    assertThat(extractor.extract(headers("Cookie", "theme=dark; mercureAuthorization=tok0; lang=en"), Map.of()))
        .contains(new Token("tok0", Source.COOKIE, "mercureAuthorization"));
    assertThat(extractor.extract(headers("cookie", "__Secure-mercure_access_token=tok1"), Map.of()))
        .contains(new Token("tok1", Source.COOKIE, "__Secure-mercure_access_token"));
  }

  @Test
  void parsesCookieHeadersProperly() {
    assertThat(TokenExtractor.cookie("xmercureAuthorization=bad; mercureAuthorization=good", "mercureAuthorization")).contains("good");
    assertThat(TokenExtractor.cookie("a=1;mercureAuthorization=\"quoted\";b=2", "mercureAuthorization")).contains("quoted");
    assertThat(TokenExtractor.cookie("  mercureAuthorization = spaced  ", "mercureAuthorization")).contains("spaced");
    assertThat(TokenExtractor.cookie("mercureAuthorization=first; mercureAuthorization=second", "mercureAuthorization")).contains("first");
    assertThat(TokenExtractor.cookie("a=b=c; flag; mercureAuthorization=x.y.z", "mercureAuthorization")).contains("x.y.z");
    assertThat(TokenExtractor.cookie("mercureAuthorizationX=1", "mercureAuthorization")).isEmpty();
    assertThat(TokenExtractor.cookie("", "mercureAuthorization")).isEmpty();
    // HTTP/2 sends one header field per cookie
    assertThat(extractor.extract(headers("cookie", "a=1", "cookie", "mercureAuthorization=split"), Map.of()))
        .map(Token::value).contains("split");
  }

  @Test
  void cookieNamesAreConfigurable() {
    TokenExtractor plainHttp = extractor.withCookieNames(List.of("mercure_access_token"));
    assertThat(plainHttp.extract(headers("Cookie", "mercure_access_token=t; mercureAuthorization=u"), Map.of()))
        .map(Token::value).contains("t");
    assertThatThrownBy(() -> extractor.withCookieNames(List.of("bad name"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ignoresTheQueryParameterUnlessEnabled() {
    Map<String, List<String>> query = Map.of("authorization", List.of("q"));
    assertThat(extractor.extract(Map.of(), query)).isEmpty();
    assertThat(extractor.queryParameterEnabled()).isFalse();
    TokenExtractor enabled = extractor.withQueryParameter(true);
    assertThat(enabled.extract(Map.of(), query)).contains(new Token("q", Source.QUERY_PARAMETER, "authorization"));
    assertThat(enabled.extract(Map.of(), Map.of("access_token", List.of("r")))).map(Token::value).contains("r");
    assertThatThrownBy(() -> enabled.extract(Map.of(), Map.of("authorization", List.of("a", "b")))).isInstanceOf(AuthException.class);
  }

  @Test
  void precedenceIsHeaderThenQueryThenCookie() {
    Map<String, List<String>> query = Map.of("authorization", List.of("from-query"));
    Map<String, List<String>> all = headers("Authorization", "Bearer from-header", "Cookie", "mercureAuthorization=from-cookie");
    Map<String, List<String>> cookieOnly = headers("Cookie", "mercureAuthorization=from-cookie");
    TokenExtractor enabled = extractor.withQueryParameter(true);
    assertThat(enabled.extract(all, query)).map(Token::value).contains("from-header");
    assertThat(enabled.extract(cookieOnly, query)).map(Token::value).contains("from-query");
    assertThat(extractor.extract(cookieOnly, query)).map(Token::value).contains("from-cookie");
  }

  @Test
  void noTokenIsEmpty() {
    assertThat(extractor.extract(headers("Cookie", "theme=dark", "Accept", "text/event-stream"), Map.of())).isEqualTo(Optional.empty());
  }

  @Test
  void tokensNeverPrintTheirValue() {
    assertThat(new Token("secret.token.value", Source.COOKIE, "mercureAuthorization").toString())
        .doesNotContain("secret").contains("COOKIE");
  }
}
