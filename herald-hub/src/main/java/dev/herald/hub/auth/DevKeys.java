package dev.herald.hub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys for the hub's dev mode: a fresh random HS256 secret and two ready-made tokens, a publisher
 * one ({@code mercure.publish: ["*"]}) and a subscriber one ({@code mercure.subscribe: ["*"]}),
 * valid for {@link #TOKEN_LIFETIME}. For local development only: anyone holding the publisher
 * token may publish anything.
 */
public final class DevKeys {
  /** How long dev tokens stay valid: long enough never to get in the way of a dev session. */
  public static final Duration TOKEN_LIFETIME = Duration.ofDays(365);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String secret;
  private final String publisherToken;
  private final String subscriberToken;

  private DevKeys(String secret, String publisherToken, String subscriberToken) {
    this.secret = secret;
    this.publisherToken = publisherToken;
    this.subscriberToken = subscriberToken;
  }

  /** A new random secret (256 bits, Base64url: 43 characters) and tokens signed with it. */
  public static DevKeys generate() {
    return generate(Clock.systemUTC());
  }

  static DevKeys generate(Clock clock) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    Instant expiry = clock.instant().plus(TOKEN_LIFETIME);
    return new DevKeys(secret,
        hs256Token(key, List.of("*"), List.of(), expiry),
        hs256Token(key, List.of(), List.of("*"), expiry));
  }

  /**
   * The HS256 secret, as text: the hub and publishers use its UTF-8 bytes, as with
   * {@link JwtVerifier#hs256(String)}.
   */
  public String secret() {
    return secret;
  }

  /** A verifier for this secret, {@code exp} required. */
  public JwtVerifier verifier() {
    return JwtVerifier.hs256(secret);
  }

  /** May publish to every topic. */
  public String publisherToken() {
    return publisherToken;
  }

  /** May receive every private update. */
  public String subscriberToken() {
    return subscriberToken;
  }

  /**
   * Mints an HS256 token with 0.x claims ({@code mercure.publish}, {@code mercure.subscribe};
   * empty lists are left out) expiring at {@code expiresAt}.
   *
   * @throws IllegalArgumentException if the secret is shorter than 256 bits
   */
  public static String hs256Token(byte[] secret, List<String> publish, List<String> subscribe, Instant expiresAt) {
    if (secret.length < JwtVerifier.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("HS256 needs a secret of at least " + JwtVerifier.MIN_SECRET_BYTES + " bytes");
    }
    Map<String, Object> mercure = new LinkedHashMap<>();
    if (!publish.isEmpty()) mercure.put("publish", List.copyOf(publish));
    if (!subscribe.isEmpty()) mercure.put("subscribe", List.copyOf(subscribe));
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .claim("mercure", mercure)
        .expirationTime(Date.from(expiresAt))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign with this secret", e);
    }
    return jwt.serialize();
  }

  /** Never prints the secret or the tokens. */
  @Override
  public String toString() {
    return "DevKeys[HS256, tokens valid " + TOKEN_LIFETIME.toDays() + " days]";
  }
}
