package dev.herald.hub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Keys, PEM files and signed tokens for the tests, made with the JDK and Nimbus. */
final class TestKeys {
  static final byte[] SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private TestKeys() {}

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  static Path writePem(Path dir, String name, String pem) {
    try {
      return Files.writeString(dir.resolve(name), pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().expirationTime(Date.from(NOW.plusSeconds(3600)));
  }

  static JWTClaimsSet legacy(List<String> publish, List<String> subscribe) {
    return claims().claim("mercure", Map.of("publish", publish, "subscribe", subscribe)).build();
  }

  static String hs256(JWTClaimsSet claims) {
    return sign(hmac(SECRET), JWSAlgorithm.HS256, claims);
  }

  static JWSSigner hmac(byte[] secret) {
    try {
      return new MACSigner(secret);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static JWSSigner rsaSigner(KeyPair pair) {
    return new RSASSASigner(pair.getPrivate());
  }

  static JWSSigner ecSigner(KeyPair pair) {
    try {
      return new ECDSASigner((ECPrivateKey) pair.getPrivate());
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
    return sign(signer, new JWSHeader(alg), claims);
  }

  static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
    return jwt.serialize();
  }
}
