package dev.herald.hub;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens minted the way the Mercure world mints them: a header and claims written as JSON text
 * (as in the Mercure documentation, its specification's examples and its client libraries),
 * Base64url-encoded and signed with HMAC-SHA256 by the JDK alone, no JWT library in between, so
 * the hub sees exactly the bytes another publisher would send.
 */
final class MercureTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private MercureTokens() {}

  /** A compact JWS: {@code header} and {@code claims} (JSON text), HS256 with {@code secret}. */
  static String hs256(String header, String claims, String secret) {
    String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
