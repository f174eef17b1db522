package dev.herald.hub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies Mercure JWTs (JWS compact serialisation) against exactly one key, and reads what they
 * allow.
 *
 * <p>The algorithm comes from the configuration, never from the token: a token whose {@code alg}
 * header differs is refused before any signature check. That closes the classic confusions
 * ({@code alg: none}; an HS256 token "signed" with an RSA public key that an RS256 hub publishes).
 *
 * <p>Checks, in order: size, signed (not {@code none}, not encrypted), {@code alg}, optionally
 * {@code typ: at+jwt}, signature, {@code exp} (see {@link ExpiryRule}), {@code nbf} when present,
 * optionally {@code aud} and {@code iss}, then the Mercure claims. Time checks allow {@link #DEFAULT_CLOCK_SKEW} either way, for clocks of
 * publisher and hub that drift apart.
 *
 * <p>With one configured key, a token that verified is remembered by its text (up to {@value
 * #VERIFIED_TOKENS} of them): seen again, it is checked against the clock ({@code exp}, {@code nbf})
 * only, with the same answers. Publishers send the same token with every publish.
 *
 * <p>Thread-safe; its configuration is immutable, and the {@code with...} methods return new
 * instances, each with a memory of its own.
 */
public final class JwtVerifier {
  /** Tolerance for {@code exp} and {@code nbf} between the token issuer's clock and the hub's. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  /** HS256 secrets shorter than this (256 bits, RFC 7518 section 3.2) are refused. */
  public static final int MIN_SECRET_BYTES = 32;

  /** RS256 keys with a shorter modulus are refused. */
  public static final int MIN_RSA_KEY_BITS = 2048;

  /** Longer tokens are refused unparsed. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  /** The algorithms a hub can be configured with: one, fixed. */
  public enum Algorithm {
    /** HMAC with SHA-256 and a shared secret. */
    HS256(JWSAlgorithm.HS256),
    /** RSASSA-PKCS1-v1_5 with SHA-256; the hub holds the RSA public key. */
    RS256(JWSAlgorithm.RS256),
    /** ECDSA on P-256 with SHA-256; the hub holds the EC public key. */
    ES256(JWSAlgorithm.ES256),
    /** EdDSA on Ed25519 (RFC 8037); the hub holds the Ed25519 public key. */
    EdDSA(JWSAlgorithm.EdDSA);

    private final JWSAlgorithm jws;

    Algorithm(JWSAlgorithm jws) {
      this.jws = jws;
    }
  }

  /** Which tokens must carry an {@code exp} claim. Whenever {@code exp} is present, it is enforced. */
  public enum ExpiryRule {
    /**
     * Mercure 1.0 access tokens ({@code typ: at+jwt}, or an {@code authorization_details} claim)
     * must carry {@code exp}, as RFC 9068 and the 1.0 text require; 0.x tokens (the {@code mercure}
     * claim) may omit it, as the 0.x hubs allowed and their documentation's example tokens do. The
     * default.
     */
    ACCESS_TOKENS,
    /** Every token must carry {@code exp} ({@code herald serve --require-exp}). */
    EVERY_TOKEN
  }

  /** Where the verification keys come from: one configured key, or a JWK Set chosen by kid. */
  private sealed interface Keys permits OneKey, KeySet {}

  private record OneKey(Algorithm algorithm, JWSVerifier verifier) implements Keys {}

  private record KeySet(JWKSource<SecurityContext> source, Set<Algorithm> algorithms) implements Keys {}

  /** How many verified tokens are remembered; when full, the memory starts over. */
  static final int VERIFIED_TOKENS = 256;
  /** Longer tokens are verified each time: remembered ones stay within about a megabyte. */
  static final int MAX_REMEMBERED_TOKEN_CHARS = 4096;

  /** A token that verified, and until when (the skew included) its claims let it in. */
  private record Verified(Authorization authorization, Instant expiresAt, Instant validFrom) {}

  private final Keys keys;
  // Verified tokens by their text, checked only against the clock when seen again. A publisher
  // sends the same token with every publish, and its signature (an HMAC or a public-key check)
  // and claims cost more than the rest of the request; the text, signature included, is the key,
  // so no other token can match. Only for one configured key: a key set may drop a key meanwhile.
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private final Duration clockSkew;
  private final Clock clock;
  private final ExpiryRule expiryRule;
  private final boolean accessTokenTypeRequired;
  private final String audience;
  private final String issuer;

  private JwtVerifier(Keys keys, Duration clockSkew, Clock clock,
      ExpiryRule expiryRule, boolean accessTokenTypeRequired, String audience, String issuer) {
    this.keys = keys;
    this.clockSkew = clockSkew;
    this.clock = clock;
    this.expiryRule = expiryRule;
    this.accessTokenTypeRequired = accessTokenTypeRequired;
    this.audience = audience;
    this.issuer = issuer;
  }

  private JwtVerifier(Keys keys) {
    this(keys, DEFAULT_CLOCK_SKEW, Clock.systemUTC(), ExpiryRule.ACCESS_TOKENS, false, null, null);
  }

  /**
   * HS256 with a shared secret.
   *
   * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
   */
  public static JwtVerifier hs256(byte[] secret) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the JWT secret has " + secret.length + " bytes; HS256 needs at least "
          + MIN_SECRET_BYTES + " (256 bits). Generate one with: openssl rand -base64 32");
    }
    try {
      return new JwtVerifier(new OneKey(Algorithm.HS256, new MACVerifier(Arrays.copyOf(secret, secret.length))));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable HS256 secret", e);
    }
  }

  /** HS256 with a secret given as text, used as its UTF-8 bytes (as the reference hub does). */
  public static JwtVerifier hs256(String secret) {
    return hs256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * RS256 or ES256 with the public key in {@code pemFile} ({@code -----BEGIN PUBLIC KEY-----}).
   *
   * @throws IllegalArgumentException if {@code algorithm} is HS256, or the file does not hold a
   *     public key fit for it (an RSA key of at least {@value #MIN_RSA_KEY_BITS} bits; a P-256 key)
   * @throws IOException if the file cannot be read
   */
  public static JwtVerifier publicKey(Algorithm algorithm, Path pemFile) throws IOException {
    return publicKeyPem(algorithm, Files.readString(pemFile, StandardCharsets.US_ASCII), pemFile.toString());
  }

  /** As {@link #publicKey(Algorithm, Path)}, with the PEM text itself. */
  public static JwtVerifier publicKeyPem(Algorithm algorithm, String pem) {
    return publicKeyPem(algorithm, pem, "the public key");
  }

  private static JwtVerifier publicKeyPem(Algorithm algorithm, String pem, String where) {
    try {
      return switch (algorithm) {
        case RS256 -> new JwtVerifier(new OneKey(algorithm, new RSASSAVerifier(PublicKeys.rsa(pem, where))));
        case ES256 -> new JwtVerifier(new OneKey(algorithm, new ECDSAVerifier(PublicKeys.ecP256(pem, where))));
        case EdDSA -> new JwtVerifier(new OneKey(algorithm, new Ed25519Verifier(PublicKeys.ed25519(pem, where))));
        case HS256 -> throw new IllegalArgumentException("HS256 uses a shared secret, not a public key");
      };
    } catch (JOSEException e) {
      throw new IllegalArgumentException(where + " is unusable for " + algorithm, e);
    }
  }

  /**
   * Keys from a JWK Set, chosen by the token's {@code kid} (and its {@code alg}, which must be one
   * of {@code algorithms}); a token whose {@code kid} names no key of the set is refused. The set's
   * keys must be public keys: RSA of at least {@value #MIN_RSA_KEY_BITS} bits, EC P-256, Ed25519.
   * Key material the token itself carries ({@code jwk}, {@code jku}, {@code x5u}) is never used.
   *
   * @param source the set: {@code ImmutableJWKSet} for a file, or a {@link KeySets#at} set for a
   *     URL. Tokens are verified on the event loops: the source must answer from memory, never
   *     from the network ({@code RemoteKeySet} fetches on a thread of its own)
   * @throws IllegalArgumentException if {@code algorithms} is empty or holds HS256
   */
  public static JwtVerifier keySet(JWKSource<SecurityContext> source, Set<Algorithm> algorithms) {
    Objects.requireNonNull(source, "source");
    if (algorithms.isEmpty() || algorithms.contains(Algorithm.HS256)) {
      throw new IllegalArgumentException("a JWK Set verifies RS256, ES256 or EdDSA tokens");
    }
    return new JwtVerifier(new KeySet(source, Set.copyOf(EnumSet.copyOf(algorithms))));
  }

  /** The algorithms tokens may be signed with: the configured one, or those of a JWK Set. */
  public Set<Algorithm> algorithms() {
    return keys instanceof OneKey one ? Set.of(one.algorithm()) : ((KeySet) keys).algorithms();
  }

  /** This verifier with {@code skew} of tolerance on {@code exp} and {@code nbf}. */
  public JwtVerifier withClockSkew(Duration skew) {
    if (skew.isNegative()) throw new IllegalArgumentException("negative clock skew");
    return new JwtVerifier(keys, skew, clock, expiryRule, accessTokenTypeRequired, audience, issuer);
  }

  /** This verifier reading the time from {@code clock} (tests). */
  public JwtVerifier withClock(Clock clock) {
    return new JwtVerifier(keys, clockSkew, Objects.requireNonNull(clock), expiryRule,
        accessTokenTypeRequired, audience, issuer);
  }

  /** Which tokens must carry {@code exp}; {@link ExpiryRule#ACCESS_TOKENS} by default. */
  public JwtVerifier withExpiryRule(ExpiryRule rule) {
    return new JwtVerifier(keys, clockSkew, clock, Objects.requireNonNull(rule), accessTokenTypeRequired,
        audience, issuer);
  }

  /** Whether the header must carry {@code typ: at+jwt} (RFC 9068, Mercure 1.0); off by default. */
  public JwtVerifier withAccessTokenTypeRequired(boolean required) {
    return new JwtVerifier(keys, clockSkew, clock, expiryRule, required, audience, issuer);
  }

  /** Requires {@code aud} to be or contain {@code audience} (the hub's resource identifier). */
  public JwtVerifier withAudience(String audience) {
    return new JwtVerifier(keys, clockSkew, clock, expiryRule, accessTokenTypeRequired,
        Objects.requireNonNull(audience), issuer);
  }

  /** Requires {@code iss} to equal {@code issuer}. */
  public JwtVerifier withIssuer(String issuer) {
    return new JwtVerifier(keys, clockSkew, clock, expiryRule, accessTokenTypeRequired,
        audience, Objects.requireNonNull(issuer));
  }

  /**
   * Verifies {@code token} and returns what it allows.
   *
   * @throws AuthException if it is malformed, unsigned, signed otherwise or with another key,
   *     expired, not yet valid, or carries malformed Mercure claims
   */
  public Authorization verify(String token) {
    if (token == null || token.isEmpty()) throw new AuthException("empty token");
    if (token.length() > MAX_TOKEN_CHARS) throw new AuthException("token too long");
    Verified known = verified.get(token);
    if (known != null) return stillValid(token, known);
    SignedJWT jwt = parse(token);
    if (algorithms().stream().noneMatch(a -> a.jws.equals(jwt.getHeader().getAlgorithm()))) {
      throw new AuthException("token not signed with the configured algorithm");
    }
    if (accessTokenTypeRequired && !isAccessTokenType(jwt.getHeader().getType())) {
      throw new AuthException("token type (typ) must be at+jwt");
    }
    try {
      // Nimbus verifiers also refuse tokens with "crit" headers they do not understand.
      if (!signatureVerifies(jwt)) throw new AuthException("invalid signature");
    } catch (JOSEException | IllegalStateException e) {
      throw new AuthException("invalid signature");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new AuthException("malformed token claims");
    }
    boolean accessToken = isAccessTokenType(jwt.getHeader().getType()) || MercureClaims.hasAuthorizationDetails(claims);
    checkTimes(claims, expiryRule == ExpiryRule.EVERY_TOKEN || accessToken);
    if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
      throw new AuthException("token not issued for this hub (aud)");
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) throw new AuthException("untrusted issuer");
    Authorization authorization = MercureClaims.read(claims);
    remember(token, authorization, claims);
    return authorization;
  }

  private void remember(String token, Authorization authorization, JWTClaimsSet claims) {
    if (!(keys instanceof OneKey) || token.length() > MAX_REMEMBERED_TOKEN_CHARS) return;
    if (verified.size() >= VERIFIED_TOKENS) verified.clear();
    Date exp = claims.getExpirationTime();
    Date nbf = claims.getNotBeforeTime();
    verified.put(token, new Verified(authorization,
        exp == null ? null : exp.toInstant().plus(clockSkew),
        nbf == null ? null : nbf.toInstant().minus(clockSkew)));
  }

  /** A remembered token: the same time checks as {@link #checkTimes}, with the same answers. */
  private Authorization stillValid(String token, Verified known) {
    Instant now = clock.instant();
    if (known.expiresAt() != null && !now.isBefore(known.expiresAt())) {
      verified.remove(token);
      throw new AuthException("token expired");
    }
    if (known.validFrom() != null && now.isBefore(known.validFrom())) throw new AuthException("token not yet valid");
    return known.authorization();
  }

  private boolean signatureVerifies(SignedJWT jwt) throws JOSEException {
    if (keys instanceof OneKey one) return jwt.verify(one.verifier());
    List<JWK> candidates;
    try {
      // Matches the key type to the alg, and the kid when the token names one.
      candidates = ((KeySet) keys).source().get(new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())), null);
    } catch (KeySourceException e) {
      throw new AuthException("the key set is unavailable");
    }
    if (candidates.isEmpty()) throw new AuthException("no key for this token (kid)");
    for (JWK key : candidates) {
      JWSVerifier verifier = verifierFor(key);
      if (verifier != null && jwt.verify(verifier)) return true;
    }
    return false;
  }

  /** A verifier for a key of the set, or null for a key Herald would refuse as configuration. */
  private static JWSVerifier verifierFor(JWK key) throws JOSEException {
    if (key.isPrivate()) return null; // a set publishing private keys is a mistake: trust none of them
    if (key instanceof RSAKey rsa) {
      return rsa.size() >= MIN_RSA_KEY_BITS ? new RSASSAVerifier(rsa) : null;
    }
    if (key instanceof ECKey ec) return Curve.P_256.equals(ec.getCurve()) ? new ECDSAVerifier(ec) : null;
    if (key instanceof OctetKeyPair okp) return Curve.Ed25519.equals(okp.getCurve()) ? new Ed25519Verifier(okp) : null;
    return null;
  }

  private static SignedJWT parse(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new AuthException("malformed token");
    }
    if (jwt instanceof PlainJWT) throw new AuthException("unsigned token (alg none) refused");
    if (jwt instanceof EncryptedJWT) throw new AuthException("encrypted tokens are not supported");
    if (!(jwt instanceof SignedJWT signed)) throw new AuthException("malformed token");
    return signed;
  }

  private void checkTimes(JWTClaimsSet claims, boolean expiryRequired) {
    // Nimbus reads a non-numeric exp or nbf as absent: treat that as malformed, not as "no expiry".
    Date exp = claims.getExpirationTime();
    Date nbf = claims.getNotBeforeTime();
    if (exp == null && claims.getClaim("exp") != null || nbf == null && claims.getClaim("nbf") != null) {
      throw new AuthException("malformed token claims");
    }
    Instant now = clock.instant();
    if (exp == null) {
      if (expiryRequired) throw new AuthException("token has no expiry (exp)");
    } else if (!now.isBefore(exp.toInstant().plus(clockSkew))) {
      throw new AuthException("token expired");
    }
    if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
      throw new AuthException("token not yet valid");
    }
  }

  private static boolean isAccessTokenType(JOSEObjectType type) {
    if (type == null) return false;
    String t = type.getType();
    if (t.regionMatches(true, 0, "application/", 0, "application/".length())) t = t.substring("application/".length());
    return t.equalsIgnoreCase("at+jwt");
  }

  @Override
  public String toString() {
    return "JwtVerifier[" + algorithms() + ", skew " + clockSkew + ", exp required of " + expiryRule
        + (audience != null ? ", aud " + audience : "") + (issuer != null ? ", iss " + issuer : "") + "]";
  }
}
