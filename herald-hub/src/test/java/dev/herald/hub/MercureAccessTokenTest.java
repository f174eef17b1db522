package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Access tokens as identity providers issue them (RFC 9068: {@code typ: at+jwt}, {@code aud},
 * {@code iss}, a {@code kid} naming a key of the provider's JWK Set), checked by a hub that
 * {@code herald serve} configures with {@code --jwks}, {@code --jwt-audience}, {@code --jwt-issuer}
 * and {@code --access-tokens-only}. The JWK Set is served by a loopback HTTP server this test
 * starts, and rotated while the hub runs.
 */
@Timeout(60)
class MercureAccessTokenTest {
  private static final String AUDIENCE = "https://hub.example.com/.well-known/mercure";
  private static final String ISSUER = "https://idp.example.com";

  @TempDir Path dir;
  private HttpServer jwksServer;
  private Hub hub;
  private final List<JWK> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile boolean providerDown;

  @AfterEach
  void stop() {
    if (hub != null) hub.close();
    if (jwksServer != null) jwksServer.stop(0);
  }

  /** Serves the public half of {@link #published} as a JWK Set, as an identity provider does. */
  private String serveJwks() throws Exception {
    jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwksServer.createContext("/.well-known/jwks.json", exchange -> {
      fetches.incrementAndGet();
      if (providerDown) {
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      byte[] body = new JWKSet(new ArrayList<>(published)).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwksServer.start();
    return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/.well-known/jwks.json";
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("https://example.com/publisher")
        .claim("client_id", "app").issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
        .jwtID(UUID.randomUUID().toString())
        .claim("authorization_details", List.of(Map.of("type", "https://mercure.rocks/authorization-detail",
            "actions", List.of("publish"), "topics", List.of(Map.of("match", "*")))));
  }

  private static String sign(JWK key, JWSAlgorithm alg, String typ, JWTClaimsSet claims) throws JOSEException {
    JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new Ed25519Signer((OctetKeyPair) key);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(new JOSEObjectType(typ)).build(),
        claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private int publish(String token) throws Exception {
    HttpResponse<String> r = new HubClient(hub.port()).publish(token, "topic", "https://example.com/books/1", "data", "x");
    if (r.statusCode() == 401) {
      assertThat(r.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
    }
    return r.statusCode();
  }

  @Test
  void keysComeFromTheProvidersJwkSetByKidAndRotateWithoutARestart() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
    published.add(rsa);
    published.add(ed);
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--jwks", serveJwks(), "--jwt-audience", AUDIENCE, "--jwt-issuer", ISSUER, "--access-tokens-only");

    assertThat(publish(sign(rsa, JWSAlgorithm.RS256, "at+jwt", claims().build()))).isEqualTo(200);
    assertThat(publish(sign(ed, JWSAlgorithm.EdDSA, "at+jwt", claims().build()))).isEqualTo(200);
    assertThat(publish(sign(ed, JWSAlgorithm.EdDSA, "application/at+jwt", claims().build()))).isEqualTo(200);

    // What an identity provider's token for someone else, or of another kind, looks like.
    assertThat(publish(sign(rsa, JWSAlgorithm.RS256, "at+jwt", claims().audience("https://other.example.com").build())))
        .isEqualTo(401);
    assertThat(publish(sign(rsa, JWSAlgorithm.RS256, "at+jwt", claims().issuer("https://evil.example.com").build())))
        .isEqualTo(401);
    assertThat(publish(sign(rsa, JWSAlgorithm.RS256, "JWT", claims().build()))).as("an ID token, say").isEqualTo(401);
    assertThat(publish(sign(rsa, JWSAlgorithm.RS256, "at+jwt", claims().expirationTime(null).build()))).isEqualTo(401);
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    assertThat(publish(sign(stranger, JWSAlgorithm.RS256, "at+jwt", claims().build()))).as("same kid, other key")
        .isEqualTo(401);

    // The provider rotates: the first token signed with a new key is refused, fetches the set again
    // in the background (never on the event loop, which BlockHound watches), and works moments later
    // with no restart.
    RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    published.add(next);
    int before = fetches.get();
    String rotated = sign(next, JWSAlgorithm.RS256, "at+jwt", claims().build());
    assertThat(publish(rotated)).as("a kid the set in hand lacks").isEqualTo(401);
    await().atMost(Duration.ofSeconds(30)).until(() -> fetches.get() > before);
    await().atMost(Duration.ofSeconds(30)).until(() -> publish(rotated) == 200);
    assertThat(publish(sign(new RSAKeyGenerator(2048).keyID("rsa-9").generate(), JWSAlgorithm.RS256, "at+jwt",
        claims().build()))).as("a kid the set does not have").isEqualTo(401);
  }

  @Test
  void aProviderDownAtStartDoesNotStopTheHubAndItsKeysWorkOnceItAnswers() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    published.add(rsa);
    providerDown = true;
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory",
        "--jwks", serveJwks(), "--jwt-audience", AUDIENCE, "--jwt-issuer", ISSUER);
    String token = sign(rsa, JWSAlgorithm.RS256, "at+jwt", claims().build());
    HttpResponse<String> refused = new HubClient(hub.port()).publish(token, "topic", "https://example.com/books/1", "data", "x");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("the key set is unavailable");
    assertThat(new HubClient(hub.port()).get("/healthz").statusCode()).as("the hub serves meanwhile").isEqualTo(200);

    providerDown = false;
    // The fetcher retries on its own thread; the token works once a fetch has landed.
    await().atMost(Duration.ofSeconds(60)).until(() -> publish(token) == 200);
  }

  @Test
  void keysComeFromAJwkSetFile() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-file").generate();
    Path file = Files.writeString(dir.resolve("jwks.json"), new JWKSet(ed).toPublicJWKSet().toString());
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--jwks", file.toString());
    assertThat(publish(sign(ed, JWSAlgorithm.EdDSA, "at+jwt", claims().build()))).isEqualTo(200);
  }

  @Test
  void anEdDsaPublicKeyInPemWorksLikeTheOtherAlgorithms() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    // X.509 SubjectPublicKeyInfo of an Ed25519 key (RFC 8410), as openssl pkey -pubout writes it.
    byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100" + HexFormat.of().formatHex(ed.getX().decode()));
    Path pem = Files.writeString(dir.resolve("ed25519.pub.pem"),
        "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(spki) + "\n-----END PUBLIC KEY-----\n");
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--jwt-algorithm", "EdDSA", "--publisher-key", pem.toString());
    assertThat(publish(sign(ed, JWSAlgorithm.EdDSA, "at+jwt", claims().build()))).isEqualTo(200);
    assertThat(publish(sign(new OctetKeyPairGenerator(Curve.Ed25519).generate(), JWSAlgorithm.EdDSA, "at+jwt",
        claims().build()))).isEqualTo(401);
  }

  @Test
  void aJwkSetOverPlainHttpIsRefusedUnlessOnLoopbackOrAllowed() {
    assertThatThrownBy(() -> ServeArgs.settings("--jwks", "http://idp.example.com/jwks.json"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("must be an https:// URL");
    assertThat(ServeArgs.settings("--jwks", "http://idp.example.com/jwks.json", "--jwks-allow-http").tokens().jwks())
        .hasToString("http://idp.example.com/jwks.json");
    assertThat(ServeArgs.settings("--jwks", "https://idp.example.com/jwks.json").devMode()).isFalse();
    assertThatThrownBy(() -> ServeArgs.settings("--jwks", dir.resolve("missing.json").toString()))
        .hasMessageContaining("no such readable file");
  }

  @Test
  void legacyTokensWithoutExpiryAreRefusedWithRequireExp() throws Exception {
    String secret = "!ChangeThisMercureHubJWTSecretKey!";
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--publisher-key", secret, "--require-exp");
    String noExp = MercureTokens.hs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"mercure\":{\"publish\":[\"*\"]}}", secret);
    assertThat(publish(noExp)).isEqualTo(401);
    long exp = Instant.now().getEpochSecond() + 600;
    assertThat(publish(MercureTokens.hs256("{\"alg\":\"HS256\"}", "{\"exp\":" + exp + ",\"mercure\":{\"publish\":[\"*\"]}}",
        secret))).isEqualTo(200);
  }

  @Test
  void protectedResourceMetadataTellsClientsTheAudienceTheIssuerAndHowToPresentATokenRfc9728() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    published.add(rsa);
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--jwks", serveJwks(), "--jwt-audience", AUDIENCE, "--jwt-issuer", ISSUER, "--subscriptions");
    HttpResponse<String> r = new HubClient(hub.port()).get("/.well-known/oauth-protected-resource/.well-known/mercure");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    com.fasterxml.jackson.databind.JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(m.get("resource").asText()).isEqualTo(AUDIENCE);
    assertThat(m.get("authorization_servers").get(0).asText()).isEqualTo(ISSUER);
    assertThat(m.get("jwks_uri").asText()).endsWith("/.well-known/jwks.json");
    assertThat(m.get("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
    assertThat(m.get("authorization_details_types_supported").toString())
        .isEqualTo("[\"https://mercure.rocks/authorization-detail\",\"mercure\"]");
    assertThat(m.get("mercure_cookie").asBoolean()).isTrue();
    assertThat(m.get("mercure_subscriptions").asBoolean()).isTrue();
  }

  @Test
  void withoutAConfiguredAudienceTheResourceIsTheHubsUrlAsTheClientReachedIt() throws Exception {
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--publisher-key", "!ChangeThisMercureHubJWTSecretKey!", "--query-token");
    HttpResponse<String> r = new HubClient(hub.port()).get("/.well-known/oauth-protected-resource/.well-known/mercure");
    com.fasterxml.jackson.databind.JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(m.get("resource").asText()).isEqualTo("http://127.0.0.1:" + hub.port() + "/.well-known/mercure");
    assertThat(m.get("bearer_methods_supported").toString()).isEqualTo("[\"header\",\"query\"]");
    assertThat(m.has("authorization_servers")).isFalse();
    assertThat(m.has("mercure_subscriptions")).isFalse();
  }
}
