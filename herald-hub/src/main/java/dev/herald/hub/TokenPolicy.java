package dev.herald.hub;

import dev.herald.hub.auth.JwtVerifier;
import java.net.URI;

/**
 * What {@code herald serve} requires of tokens beyond their signature, and where a JWK Set of
 * verification keys comes from (see {@link TokenOptions}). Immutable.
 *
 * @param expiry which tokens must carry {@code exp}
 * @param audience the hub's resource identifier, which {@code aud} must contain; null: not checked
 * @param issuer the trusted issuer, which {@code iss} must equal; null: not checked
 * @param accessTokensOnly whether only RFC 9068 access tokens ({@code typ: at+jwt}) are accepted
 * @param jwks a JWK Set of verification keys, chosen by {@code kid}: a file, or an {@code https}
 *     URL ({@code http} for loopback hosts, or when allowed); null: the configured keys
 * @param maxStreamsPerToken streams one subscriber token may hold open at once; 0: no limit
 */
record TokenPolicy(JwtVerifier.ExpiryRule expiry, String audience, String issuer, boolean accessTokensOnly,
    URI jwks, int maxStreamsPerToken) {
  /** No requirement beyond the defaults, no JWK Set, no limit. */
  static final TokenPolicy DEFAULT = new TokenPolicy(JwtVerifier.ExpiryRule.ACCESS_TOKENS, null, null, false, null, 0);

  /** {@code verifier} with these requirements. */
  JwtVerifier applyTo(JwtVerifier verifier) {
    JwtVerifier v = verifier.withExpiryRule(expiry).withAccessTokenTypeRequired(accessTokensOnly);
    if (audience != null) v = v.withAudience(audience);
    if (issuer != null) v = v.withIssuer(issuer);
    return v;
  }
}
