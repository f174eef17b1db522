package dev.herald.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA and a server certificate it signed for {@code 127.0.0.1} (an IP SAN, so Lettuce's
 * default hostname check passes) and {@code localhost}, written as PEM files for redis-server and
 * as a PKCS#12 trust store holding the CA for Java clients. EC P-256 keys: generated in
 * milliseconds.
 */
final class TestCertificates {
  static final String TRUST_STORE_PASSWORD = "changeit";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path caCertificate;
  private final Path certificate;
  private final Path privateKey;
  private final Path trustStore;
  private final KeyStore trusted;

  private TestCertificates(Path caCertificate, Path certificate, Path privateKey, Path trustStore, KeyStore trusted) {
    this.caCertificate = caCertificate;
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.trustStore = trustStore;
    this.trusted = trusted;
  }

  /** Generates the CA and the server certificate into {@code dir}. */
  static TestCertificates create(Path dir) throws IOException, GeneralSecurityException {
    KeyPair caKeys = ecKeys();
    KeyPair serverKeys = ecKeys();
    X500Name caName = new X500Name("CN=Herald test CA");
    X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(), caName,
        caKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
        caKeys.getPrivate());
    X509Certificate server = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
        new X500Name("CN=127.0.0.1"), serverKeys.getPublic())
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)),
        caKeys.getPrivate());

    Path caFile = pem(dir.resolve("ca.crt"), "CERTIFICATE", ca.getEncoded());
    Path certificateFile = pem(dir.resolve("redis.crt"), "CERTIFICATE", server.getEncoded());
    Path keyFile = pem(dir.resolve("redis.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("herald-test-ca", ca);
    Path trustStoreFile = dir.resolve("ca.p12");
    try (OutputStream out = Files.newOutputStream(trustStoreFile)) {
      trusted.store(out, TRUST_STORE_PASSWORD.toCharArray());
    }
    return new TestCertificates(caFile, certificateFile, keyFile, trustStoreFile, trusted);
  }

  /** The CA certificate (PEM). */
  Path caCertificate() {
    return caCertificate;
  }

  /** A PKCS#12 trust store holding the CA, password {@link #TRUST_STORE_PASSWORD}. */
  Path trustStore() {
    return trustStore;
  }

  /** The server's material, for {@link RedisProcess#startTls}. */
  RedisProcess.Tls serverTls() throws GeneralSecurityException {
    return new RedisProcess.Tls(certificate, privateKey, caCertificate, clientContext());
  }

  /** A client context that trusts the CA (and nothing else). */
  SSLContext clientContext() throws GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), RANDOM);
    return context;
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(file, "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n");
  }
}
