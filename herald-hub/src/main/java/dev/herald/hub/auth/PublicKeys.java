package dev.herald.hub.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/** Reads an X.509 SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}) with the JDK alone. */
final class PublicKeys {
  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";

  private PublicKeys() {}

  static RSAPublicKey rsa(String pem, String where) {
    PublicKey key = decode(pem, "RSA", where);
    RSAPublicKey rsa = (RSAPublicKey) key;
    if (rsa.getModulus().bitLength() < JwtVerifier.MIN_RSA_KEY_BITS) {
      throw new IllegalArgumentException(where + ": the RSA key has " + rsa.getModulus().bitLength()
          + " bits; RS256 needs at least " + JwtVerifier.MIN_RSA_KEY_BITS);
    }
    return rsa;
  }

  static ECPublicKey ecP256(String pem, String where) {
    ECPublicKey ec = (ECPublicKey) decode(pem, "EC", where);
    if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
      throw new IllegalArgumentException(where + ": ES256 needs a key on curve P-256 (secp256r1)");
    }
    return ec;
  }

  /** An Ed25519 public key, as the JWK Nimbus's verifier takes. */
  static OctetKeyPair ed25519(String pem, String where) {
    byte[] spki = decode(pem, "Ed25519", where).getEncoded();
    // SubjectPublicKeyInfo of Ed25519 (RFC 8410): a fixed 12-byte prefix, then the 32-byte key.
    byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).build();
  }

  private static PublicKey decode(String pem, String type, String where) {
    if (pem.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException(where + " holds a private key; give the hub the public key only "
          + "(openssl pkey -in private.pem -pubout)");
    }
    int begin = pem.indexOf(BEGIN);
    int end = pem.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(where + " is not a PEM public key: expected " + BEGIN
          + " (X.509 SubjectPublicKeyInfo; convert a PKCS#1 'RSA PUBLIC KEY' or a certificate with openssl)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": the PEM body is not valid Base64");
    }
    try {
      return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException(where + " does not hold an " + type + " public key");
    }
  }
}
