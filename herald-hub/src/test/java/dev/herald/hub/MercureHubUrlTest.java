package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the hub's own URL ({@code --public-url}) decides in Mercure 1.0: relative URL patterns and
 * topics resolve against it, host names compare case-insensitively, the reserved namespace is
 * found after resolution, and 401 challenges point at the protected-resource metadata. Also the
 * 1.0 rule of one topic per update, for 1.0 publishers only. Tokens are written as JSON text, the
 * way the Mercure documentation writes them.
 */
@Timeout(60)
class MercureHubUrlTest {
  private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes!";
  private static final String HUB = "https://hub.example.com/.well-known/mercure";
  private Hub hub;

  @AfterEach
  void stop() {
    if (hub != null) hub.close();
  }

  private HubClient start(String... extra) throws Exception {
    String[] base = {"--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--publisher-key", SECRET, "--anonymous"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    hub = ServeArgs.start(all);
    return new HubClient(hub.port());
  }

  private static long exp() {
    return Instant.now().plusSeconds(600).getEpochSecond();
  }

  /** A 1.0 access token: {@code typ: at+jwt}, {@code authorization_details} with {@code match}/{@code matchType}. */
  private static String accessToken(String actions, String topics) {
    return MercureTokens.hs256("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
        "{\"sub\":\"app\",\"exp\":" + exp() + ",\"authorization_details\":[{\"type\":\"mercure\",\"actions\":" + actions
            + ",\"topics\":" + topics + "}]}", SECRET);
  }

  /** A 0.x token, as the reference hub's documentation writes it: the mercure claim, no exp. */
  private static String legacyPublisher() {
    return MercureTokens.hs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"mercure\":{\"publish\":[\"*\"]}}", SECRET);
  }

  private void awaitStreams(int n) {
    await().until(() -> hub.server().broker().connectionCount() >= n);
  }

  @Test
  void relativeUrlPatternsAndTopicsResolveAgainstTheHubsPublicUrl() throws Exception {
    HubClient client = start("--public-url", HUB);
    String publisher = accessToken("[\"publish\"]", "[{\"match\":\"*\"}]");
    try (HubClient.Stream relativePattern = client.subscribe("matchURLPattern=" + enc("/books/:id"), null);
        HubClient.Stream absolutePattern = client.subscribe("matchURLPattern=" + enc("https://HUB.example.com/authors/:id"), null)) {
      awaitStreams(2);
      assertThat(client.publish(publisher, "topic", "https://hub.example.com/books/1", "data", "absolute topic").statusCode()).isEqualTo(200);
      assertThat(client.publish(publisher, "topic", "/books/2", "data", "relative topic").statusCode()).isEqualTo(200);
      assertThat(client.publish(publisher, "topic", "https://other.example.com/books/3", "data", "other host").statusCode()).isEqualTo(200);
      assertThat(client.publish(publisher, "topic", "HTTPS://Hub.Example.COM/authors/4", "data", "host in capitals").statusCode()).isEqualTo(200);
      assertThat(client.publish(publisher, "topic", "https://hub.example.com/Authors/5", "data", "path in capitals").statusCode()).isEqualTo(200);
      assertThat(client.publish(publisher, "topic", "/authors/6", "data", "relative author").statusCode()).isEqualTo(200);

      assertThat(relativePattern.take().data()).isEqualTo("absolute topic");
      assertThat(relativePattern.take().data()).isEqualTo("relative topic");
      assertThat(absolutePattern.take().data()).isEqualTo("host in capitals");
      assertThat(absolutePattern.take().data()).as("paths stay case-sensitive").isEqualTo("relative author");
    }
  }

  @Test
  void aTokensRelativeUrlPatternGrantsPrivateUpdatesOnTheHubsOwnHost() throws Exception {
    HubClient client = start("--public-url", HUB);
    String publisher = accessToken("[\"publish\"]", "[{\"match\":\"*\"}]");
    String reader = accessToken("[\"subscribe\"]", "[{\"match\":\"/books/:id\",\"matchType\":\"URLPattern\"}]");
    try (HubClient.Stream s = client.subscribe("match=*", reader)) {
      awaitStreams(1);
      client.publish(publisher, "topic", "https://other.example.com/books/1", "data", "other host", "private", "on");
      client.publish(publisher, "topic", "https://hub.example.com/books/1", "data", "granted", "private", "on");
      assertThat(s.take().data()).isEqualTo("granted");
    }
  }

  @Test
  void theReservedNamespaceIsRefusedHoweverTheTopicSpellsIt() throws Exception {
    HubClient client = start("--public-url", HUB);
    String publisher = legacyPublisher();
    for (String topic : new String[] {"/.well-known/mercure", "/.well-known/mercure/subscriptions/Exact/a/b",
        "https://hub.example.com/.well-known/mercure/subscriptions/Exact/a/b", "//elsewhere.example/.well-known/mercure/x"}) {
      HttpResponse<String> r = client.publish(publisher, "topic", topic, "data", "forged");
      assertThat(r.statusCode()).as(topic).isEqualTo(403);
      assertThat(r.body()).contains("reserved for the hub");
    }
    assertThat(client.publish(publisher, "topic", "/.well-known/mercure-not-reserved", "data", "x").statusCode()).isEqualTo(200);
  }

  @Test
  void aChallengeWithoutATokenPointsAtTheProtectedResourceMetadata() throws Exception {
    HubClient client = start("--public-url", HUB);
    HttpResponse<String> noToken = client.publish(null, "topic", "a", "data", "x");
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"herald\", "
        + "resource_metadata=\"https://hub.example.com/.well-known/oauth-protected-resource/.well-known/mercure\"");
    HttpResponse<String> metadata = client.get("/.well-known/oauth-protected-resource/.well-known/mercure");
    assertThat(metadata.body()).contains("\"resource\":\"" + HUB + "\"");
  }

  @Test
  void withoutAPublicUrlTheChallengeNamesTheHostTheClientUsed() throws Exception {
    HubClient client = start();
    HttpResponse<String> noToken = client.publish(null, "topic", "a", "data", "x");
    assertThat(noToken.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"herald\", "
        + "resource_metadata=\"http://127.0.0.1:" + hub.port() + "/.well-known/oauth-protected-resource/.well-known/mercure\"");
  }

  @Test
  void aOneDotZeroPublisherSendsExactlyOneTopicWhileZeroDotXAlternatesStillWork() throws Exception {
    HubClient client = start();
    String accessToken = accessToken("[\"publish\"]", "[{\"match\":\"*\"}]");
    HttpResponse<String> two = client.publish(accessToken, "topic", "https://example.com/a", "topic", "https://example.com/b", "data", "x");
    assertThat(two.statusCode()).isEqualTo(400);
    assertThat(two.body()).contains("exactly one topic");
    assertThat(client.publish(accessToken, "topic", "https://example.com/a", "data", "x").statusCode()).isEqualTo(200);
    assertThat(client.publish(legacyPublisher(), "topic", "https://example.com/a", "topic", "https://example.com/b", "data", "x")
        .statusCode()).isEqualTo(200);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
