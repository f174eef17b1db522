package dev.herald.hub.auth;

import static dev.herald.hub.auth.TestKeys.NOW;
import static dev.herald.hub.auth.TestKeys.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.herald.hub.auth.JwtVerifier.Algorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtVerifierTest {
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final JWTClaimsSet PUBLISHER = TestKeys.legacy(List.of("*"), List.of());

  @TempDir Path dir;

  private final JwtVerifier hs256 = JwtVerifier.hs256(SECRET).withClock(CLOCK);
  private final MovableClock clock = new MovableClock();
  private final JwtVerifier hs256OnMovableClock = JwtVerifier.hs256(SECRET).withClock(clock);

  @Test
  void acceptsHs256() {
    Authorization a = hs256.verify(TestKeys.hs256(PUBLISHER));
    assertThat(a.publish()).containsExactly(MercureSelector.template("*"));
    assertThat(a.expiresAt()).contains(NOW.plusSeconds(3600));
  }

  @Test
  void acceptsRs256FromAPemFile() throws Exception {
    KeyPair pair = TestKeys.rsa(2048);
    Path pem = TestKeys.writePem(dir, "rsa.pem", TestKeys.pem(pair.getPublic()));
    JwtVerifier verifier = JwtVerifier.publicKey(Algorithm.RS256, pem).withClock(CLOCK);
    String token = TestKeys.sign(TestKeys.rsaSigner(pair), JWSAlgorithm.RS256, PUBLISHER);
    assertThat(verifier.verify(token).publish()).hasSize(1);
    assertThat(verifier.algorithms()).containsExactly(Algorithm.RS256);
  }

  @Test
  void acceptsEs256FromAPemFile() throws Exception {
    KeyPair pair = TestKeys.ec("secp256r1");
    Path pem = TestKeys.writePem(dir, "ec.pem", TestKeys.pem(pair.getPublic()));
    JwtVerifier verifier = JwtVerifier.publicKey(Algorithm.ES256, pem).withClock(CLOCK);
    String token = TestKeys.sign(TestKeys.ecSigner(pair), JWSAlgorithm.ES256, PUBLISHER);
    assertThat(verifier.verify(token).publish()).hasSize(1);
  }

  @Test
  void refusesATokenSignedWithAnotherSecret() {
    String token = TestKeys.sign(TestKeys.hmac("another-secret-that-is-long-enough!!".getBytes(StandardCharsets.UTF_8)),
        JWSAlgorithm.HS256, PUBLISHER);
    assertRefused(hs256, token, "invalid signature");
  }

  @Test
  void refusesATokenSignedWithAnotherRsaKey() {
    JwtVerifier verifier = JwtVerifier.publicKeyPem(Algorithm.RS256, TestKeys.pem(TestKeys.rsa(2048).getPublic())).withClock(CLOCK);
    String token = TestKeys.sign(TestKeys.rsaSigner(TestKeys.rsa(2048)), JWSAlgorithm.RS256, PUBLISHER);
    assertRefused(verifier, token, "invalid signature");
  }

  @Test
  void refusesAnHs256TokenMacedWithThePublicKeyWhenRs256IsConfigured() {
    // The key-confusion attack: the RSA public key is public, so an attacker can use its bytes as
    // an HMAC secret; a verifier that let the token pick the algorithm would accept this.
    String pem = TestKeys.pem(TestKeys.rsa(2048).getPublic());
    JwtVerifier verifier = JwtVerifier.publicKeyPem(Algorithm.RS256, pem).withClock(CLOCK);
    String forged = TestKeys.sign(TestKeys.hmac(pem.getBytes(StandardCharsets.US_ASCII)), JWSAlgorithm.HS256, PUBLISHER);
    assertRefused(verifier, forged, "token not signed with the configured algorithm");
  }

  @Test
  void refusesAnotherHmacAlgorithmEvenWithTheRightSecret() {
    byte[] secret = "a-secret-long-enough-for-hs512-which-wants-64-bytes-of-key!!!!!!".getBytes(StandardCharsets.UTF_8);
    JwtVerifier verifier = JwtVerifier.hs256(secret).withClock(CLOCK);
    assertRefused(verifier, TestKeys.sign(TestKeys.hmac(secret), JWSAlgorithm.HS512, PUBLISHER),
        "token not signed with the configured algorithm");
  }

  @Test
  void refusesAnEs256TokenWhenRs256IsConfigured() {
    JwtVerifier verifier = JwtVerifier.publicKeyPem(Algorithm.RS256, TestKeys.pem(TestKeys.rsa(2048).getPublic()));
    String token = TestKeys.sign(TestKeys.ecSigner(TestKeys.ec("secp256r1")), JWSAlgorithm.ES256, PUBLISHER);
    assertRefused(verifier, token, "token not signed with the configured algorithm");
  }

  @Test
  void refusesAlgNone() {
    assertRefused(hs256, new PlainJWT(PUBLISHER).serialize(), "unsigned token (alg none) refused");
    // "none" with a signature part glued on, and a case variant of the algorithm name
    String header = b64("{\"alg\":\"none\"}");
    String body = b64(PUBLISHER.toString());
    assertThatThrownBy(() -> hs256.verify(header + "." + body + ".c2ln")).isInstanceOf(AuthException.class);
    assertThatThrownBy(() -> hs256.verify(b64("{\"alg\":\"None\"}") + "." + body + ".")).isInstanceOf(AuthException.class);
  }

  @Test
  void refusesExpiredTokensAfterTheClockSkew() {
    JWTClaimsSet expired = TestKeys.claims().expirationTime(Date.from(NOW.minusSeconds(31))).build();
    assertRefused(hs256, TestKeys.hs256(expired), "token expired");
    JWTClaimsSet withinSkew = TestKeys.claims().expirationTime(Date.from(NOW.minusSeconds(29))).build();
    assertThat(hs256.verify(TestKeys.hs256(withinSkew))).isNotNull();
    assertRefused(hs256.withClockSkew(java.time.Duration.ZERO), TestKeys.hs256(withinSkew), "token expired");
  }

  @Test
  void aTokenSeenBeforeStillExpiresOnTime() {
    String token = TestKeys.hs256(TestKeys.claims().expirationTime(Date.from(NOW.plusSeconds(60))).build());
    assertThat(hs256OnMovableClock.verify(token)).isNotNull();
    clock.now = NOW.plusSeconds(60 + 29);
    assertThat(hs256OnMovableClock.verify(token)).isNotNull();
    clock.now = NOW.plusSeconds(60 + 30);
    assertRefused(hs256OnMovableClock, token, "token expired");
    clock.now = NOW;
    assertThat(hs256OnMovableClock.verify(token)).as("verified again from scratch").isNotNull();
  }

  @Test
  void aTokenSeenBeforeIsStillNotValidBeforeItsTime() {
    String token = TestKeys.hs256(TestKeys.claims().notBeforeTime(Date.from(NOW.plusSeconds(20))).build());
    assertThat(hs256OnMovableClock.verify(token)).isNotNull();
    clock.now = NOW.minusSeconds(11);
    assertRefused(hs256OnMovableClock, token, "token not yet valid");
  }

  @Test
  void aTokenSeenBeforeGivesTheSameAuthorization() {
    String token = TestKeys.hs256(PUBLISHER);
    Authorization first = hs256.verify(token);
    assertThat(hs256.verify(token)).isEqualTo(first);
  }

  @Test
  void aTamperedCopyOfAVerifiedTokenIsStillRefused() {
    String token = TestKeys.hs256(PUBLISHER);
    hs256.verify(token);
    String signature = token.substring(token.lastIndexOf('.') + 1);
    char last = signature.charAt(signature.length() - 2);
    String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    assertRefused(hs256, tampered, "invalid signature");
    // Other claims under the same signature, as an attacker would try.
    String[] parts = token.split("\\.");
    String otherBody = b64(TestKeys.legacy(List.of("https://example.com/admin"), List.of()).toString());
    assertRefused(hs256, parts[0] + "." + otherBody + "." + parts[2], "invalid signature");
  }

  @Test
  void keepsVerifyingWhenItsMemoryOfTokensFillsUp() {
    for (int i = 0; i < JwtVerifier.VERIFIED_TOKENS * 3; i++) {
      String token = TestKeys.hs256(TestKeys.claims().subject("user-" + i).build());
      assertThat(hs256.verify(token)).isNotNull();
      assertThat(hs256.verify(token)).isNotNull();
    }
  }

  /** A clock the test sets. */
  private static final class MovableClock extends Clock {
    volatile Instant now = NOW;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void refusesTokensNotYetValid() {
    JWTClaimsSet future = TestKeys.claims().notBeforeTime(Date.from(NOW.plusSeconds(60))).build();
    assertRefused(hs256, TestKeys.hs256(future), "token not yet valid");
    JWTClaimsSet almost = TestKeys.claims().notBeforeTime(Date.from(NOW.plusSeconds(20))).build();
    assertThat(hs256.verify(TestKeys.hs256(almost))).isNotNull();
  }

  @Test
  void legacyTokensMayOmitExpiryUnlessEveryTokenMustCarryOne() {
    // The 0.x hubs accept a mercure claim without exp, and their documentation's tokens have none.
    JWTClaimsSet noExp = new JWTClaimsSet.Builder().claim("mercure", java.util.Map.of("publish", List.of("*"))).build();
    Authorization a = hs256.verify(TestKeys.hs256(noExp));
    assertThat(a.expiresAt()).isEmpty();
    assertThat(a.publish()).hasSize(1);
    assertRefused(hs256.withExpiryRule(JwtVerifier.ExpiryRule.EVERY_TOKEN), TestKeys.hs256(noExp), "token has no expiry (exp)");
  }

  @Test
  void accessTokensMustCarryAnExpiry() {
    // RFC 9068 and Mercure 1.0: an access token without exp is refused, whatever the configuration.
    JWTClaimsSet details = new JWTClaimsSet.Builder().claim("authorization_details", List.of(java.util.Map.of(
        "type", "https://mercure.rocks/authorization-detail", "actions", List.of("publish"),
        "topics", List.of(java.util.Map.of("match", "*"))))).build();
    assertRefused(hs256, TestKeys.hs256(details), "token has no expiry (exp)");
    JWSHeader at = new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build();
    JWTClaimsSet legacy = new JWTClaimsSet.Builder().claim("mercure", java.util.Map.of("publish", List.of("*"))).build();
    assertRefused(hs256, TestKeys.sign(TestKeys.hmac(SECRET), at, legacy), "token has no expiry (exp)");
  }

  @Test
  void refusesMalformedTokens() {
    assertRefused(hs256, "not-a-jwt", "malformed token");
    assertRefused(hs256, "a.b.c", "malformed token");
    assertRefused(hs256, "", "empty token");
    assertRefused(hs256, "x".repeat(JwtVerifier.MAX_TOKEN_CHARS + 1), "token too long");
    String token = TestKeys.hs256(PUBLISHER);
    String tampered = token.substring(0, token.indexOf('.') + 1) + b64("{\"mercure\":{\"publish\":[\"*\"],\"subscribe\":[\"*\"]}}")
        + token.substring(token.lastIndexOf('.'));
    assertRefused(hs256, tampered, "invalid signature");
  }

  @Test
  void errorMessagesNeverEchoTheToken() {
    String token = TestKeys.sign(TestKeys.hmac("another-secret-that-is-long-enough!!".getBytes(StandardCharsets.UTF_8)),
        JWSAlgorithm.HS256, PUBLISHER);
    assertThatThrownBy(() -> hs256.verify(token)).satisfies(e -> {
      assertThat(e.getMessage()).doesNotContain(token.substring(0, 20)).doesNotContain(new String(SECRET, StandardCharsets.UTF_8));
      assertThat(((AuthException) e).challenge()).doesNotContain(token.substring(0, 20));
    });
  }

  @Test
  void refusesSecretsShorterThan256Bits() {
    assertThatThrownBy(() -> JwtVerifier.hs256("!ChangeMe!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 10 bytes; HS256 needs at least 32 (256 bits)");
    assertThat(JwtVerifier.hs256("x".repeat(32)).algorithms()).containsExactly(Algorithm.HS256);
  }

  @Test
  void refusesUnfitPublicKeys(@TempDir Path dir) {
    String rsa = TestKeys.pem(TestKeys.rsa(2048).getPublic());
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.ES256, rsa)).hasMessageContaining("does not hold an EC public key");
    String ec = TestKeys.pem(TestKeys.ec("secp256r1").getPublic());
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.RS256, ec)).hasMessageContaining("does not hold an RSA public key");
    String p384 = TestKeys.pem(TestKeys.ec("secp384r1").getPublic());
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.ES256, p384)).hasMessageContaining("curve P-256");
    String small = TestKeys.pem(TestKeys.rsa(1024).getPublic());
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.RS256, small)).hasMessageContaining("1024 bits");
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.RS256, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
        .hasMessageContaining("holds a private key");
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.RS256, "hello")).hasMessageContaining("is not a PEM public key");
    assertThatThrownBy(() -> JwtVerifier.publicKeyPem(Algorithm.HS256, rsa)).hasMessageContaining("shared secret");
    Path file = TestKeys.writePem(dir, "small.pem", small);
    assertThatThrownBy(() -> JwtVerifier.publicKey(Algorithm.RS256, file)).hasMessageStartingWith(file.toString());
  }

  @Test
  void checksTypAudienceAndIssuerWhenConfigured() {
    JWTClaimsSet claims = TestKeys.claims().audience(List.of("https://hub.example.com", "other")).issuer("https://auth.example.com").build();
    JWSHeader at = new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build();
    String accessToken = TestKeys.sign(TestKeys.hmac(SECRET), at, claims);
    String plainJwt = TestKeys.hs256(claims);
    JwtVerifier strict = hs256.withAccessTokenTypeRequired(true).withAudience("https://hub.example.com").withIssuer("https://auth.example.com");
    assertThat(strict.verify(accessToken)).isNotNull();
    assertRefused(strict, plainJwt, "token type (typ) must be at+jwt");
    assertRefused(hs256.withAudience("https://elsewhere.example.com"), accessToken, "token not issued for this hub (aud)");
    assertRefused(hs256.withIssuer("https://evil.example.com"), accessToken, "untrusted issuer");
  }

  private static void assertRefused(JwtVerifier verifier, String token, String message) {
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthException.class).hasMessage(message);
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
