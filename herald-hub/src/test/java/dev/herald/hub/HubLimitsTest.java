package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.auth.DevKeys;
import dev.herald.testing.EventStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits `herald serve` sets: update size (the body limit follows it), the slow-consumer bound,
 * the length and number of topics and selectors; each refusal a 400 naming what was over, with the
 * hub serving everyone else.
 */
@Timeout(60)
class HubLimitsTest {
  private static final String SECRET = "hub-limits-test-hs256-secret-0123456789ab";

  private static Hub hub(String... more) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("--bind", "127.0.0.1", "--port", "0",
        "--publisher-key", SECRET, "--anonymous", "--demo=false", "--store", "memory"));
    all.addAll(List.of(more));
    return ServeArgs.start(all.toArray(String[]::new));
  }

  private static String publisher() {
    return DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of("*"), List.of(),
        Instant.now().plus(Duration.ofHours(1)));
  }

  @Test
  void updatesUpToMaxDataBytesGoThroughEvenAboveTheDefaultBodyLimit() throws Exception {
    try (Hub hub = hub("--max-data-bytes", Integer.toString(3 << 20))) {
      HubClient client = new HubClient(hub.port());
      String big = "x".repeat(2 << 20); // 2 MiB: over the server's default 1 MiB body limit
      try (HubClient.Stream s = client.subscribe("topic=big", null)) {
        await().until(() -> hub.server().broker().subscriberCount("big") == 1);
        HttpResponse<String> published = client.publish(publisher(), "topic", "big", "data", big);
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        assertThat(s.take().data()).isEqualTo(big);
      }
      HttpResponse<String> tooBig = client.publish(publisher(), "topic", "big", "data", "x".repeat((3 << 20) + 1));
      assertThat(tooBig.statusCode()).isEqualTo(413);
      assertThat(tooBig.body()).contains("data over the size limit of 3145728 bytes");
    }
  }

  @Test
  void aSubscriberHoldingMoreThanMaxOutboundBytesIsClosedAsASlowConsumer() throws Exception {
    try (Hub hub = hub("--max-outbound-bytes", "65536");
        Socket stalled = new Socket("127.0.0.1", hub.port())) {
      stalled.setReceiveBufferSize(4096);
      stalled.getOutputStream().write(("GET " + Hub.PATH + "?topic=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      await().until(() -> hub.server().broker().subscriberCount("slow") == 1);
      HubClient client = new HubClient(hub.port());
      String chunk = "y".repeat(256 * 1024);
      // It never reads: once the socket's buffers are full, frames wait in the hub, beyond 64 KiB.
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        client.publish(publisher(), "topic", "slow", "data", chunk);
        return hub.server().broker().subscriberCount("slow") == 0;
      });
      assertThat(client.get("/metrics").body()).contains("herald_slow_consumers_closed_total 1.0");
    }
  }

  @Test
  void withMaxStreamLifetimeEveryStreamEndsAfterNinetyToOneHundredPercentOfItAndTheClientMayResume() throws Exception {
    try (Hub hub = hub("--max-stream-lifetime", "PT1S")) {
      java.net.http.HttpRequest subscribe = java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + hub.port() + Hub.PATH + "?topic=news"))
          .header("Accept", "text/event-stream").build();
      for (int i = 0; i < 2; i++) { // and again: an ended stream is no refusal
        long opened = System.nanoTime();
        HttpResponse<java.io.InputStream> stream =
            EventStreamReader.HTTP.send(subscribe, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (java.io.InputStream in = stream.body()) {
          in.transferTo(OutputStream.nullOutputStream()); // returns when the hub ends the stream
        }
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
      }
    }
  }

  private static String encode(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> subscribeStatus(HubClient client, String query) throws Exception {
    // Only the status and the refusal matter: a stream that opens is closed at once.
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(client.base + Hub.PATH + "?" + query))
        .header("Accept", "text/event-stream").build();
    HttpResponse<java.io.InputStream> r = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    String body = r.statusCode() == 200 ? "" : new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
    r.body().close();
    return new HttpResponse<>() {
      public int statusCode() { return r.statusCode(); }
      public java.net.http.HttpRequest request() { return r.request(); }
      public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
      public java.net.http.HttpHeaders headers() { return r.headers(); }
      public String body() { return body; }
      public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
      public java.net.URI uri() { return r.uri(); }
      public java.net.http.HttpClient.Version version() { return r.version(); }
    };
  }

  @Test
  void everySelectorKindIsRefusedOver2048CharactersAndAcceptedAtExactly2048() throws Exception {
    try (Hub hub = hub()) {
      HubClient client = new HubClient(hub.port());
      String exact = "https://example.com/" + "a".repeat(2048 - 20);
      String over = exact + "b";
      String template = "https://example.com/{id}/" + "a".repeat(2048 - 25);
      for (String param : List.of("topic", "match", "match_urlpattern")) {
        String atLimit = param.equals("match_urlpattern") ? "https://example.com/:id/" + "a".repeat(2048 - 24) : exact;
        assertThat(atLimit).hasSize(2048);
        assertThat(subscribeStatus(client, param + "=" + encode(atLimit)).statusCode()).as("%s of 2,048", param).isEqualTo(200);
        HttpResponse<String> refused = subscribeStatus(client, param + "=" + encode(atLimit + "b"));
        assertThat(refused.statusCode()).as("%s of 2,049", param).isEqualTo(400);
        assertThat(refused.body()).contains(param + " selector longer than 2048 characters (2049)");
      }
      assertThat(template).hasSize(2048);
      assertThat(subscribeStatus(client, "topic=" + encode(template)).statusCode()).isEqualTo(200);
      assertThat(over).hasSize(2049);
      // Beside an acceptable one, a long selector still refuses the whole subscription.
      assertThat(subscribeStatus(client, "topic=news&topic=" + encode(over)).statusCode()).isEqualTo(400);
      assertThat(subscribeStatus(client, "topic=news").statusCode()).as("the hub still serves").isEqualTo(200);
    }
  }

  @Test
  void aSubscriptionOfMoreThan100SelectorsIsRefusedBeforeAnyIsCompiled() throws Exception {
    try (Hub hub = hub()) {
      HubClient client = new HubClient(hub.port());
      StringBuilder hundred = new StringBuilder("topic=t0");
      for (int i = 1; i < 100; i++) hundred.append(i % 2 == 0 ? "&topic=t" : "&match=t").append(i);
      assertThat(subscribeStatus(client, hundred.toString()).statusCode()).isEqualTo(200);
      HttpResponse<String> refused = subscribeStatus(client, hundred + "&match_urlpattern=" + encode("/x/:id"));
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body()).contains("too many topic selectors: 101, the limit is 100");
    }
  }

  @Test
  void publishTopicsAreCappedAt2048CharactersAnd100PerUpdate() throws Exception {
    try (Hub hub = hub()) {
      HubClient client = new HubClient(hub.port());
      String atLimit = "t".repeat(2048);
      try (HubClient.Stream s = client.subscribe("topic=" + atLimit, null)) {
        await().until(() -> hub.server().broker().subscriberCount(atLimit) == 1);
        HttpResponse<String> ok = client.publish(publisher(), "topic", atLimit, "data", "at the limit");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(s.take().data()).isEqualTo("at the limit");
      }
      HttpResponse<String> over = client.publish(publisher(), "topic", atLimit + "t", "data", "x");
      assertThat(over.statusCode()).isEqualTo(400);
      assertThat(over.body()).contains("topic longer than 2048 characters (2049)");
      // The case: a topic of a million characters was stored.
      HttpResponse<String> huge = client.publish(publisher(), "topic", "x".repeat(1_000_000), "data", "x");
      assertThat(huge.statusCode()).isEqualTo(400);
      assertThat(huge.body()).contains("topic longer than 2048 characters (1000000)").hasSizeLessThan(200);
      HttpResponse<String> jsonHuge = client.post(publisher(), "application/json",
          "{\"topic\":[\"ok\",\"" + "y".repeat(5000) + "\"],\"data\":\"x\"}");
      assertThat(jsonHuge.statusCode()).isEqualTo(400);
      assertThat(jsonHuge.body()).contains("topic longer than 2048 characters (5000)");

      String[] hundred = new String[202];
      for (int i = 0; i < 100; i++) {
        hundred[2 * i] = "topic";
        hundred[2 * i + 1] = "t" + i;
      }
      hundred[200] = "data";
      hundred[201] = "x";
      assertThat(client.publish(publisher(), hundred).statusCode()).isEqualTo(200);
      String[] more = java.util.Arrays.copyOf(hundred, 204);
      more[200] = "topic";
      more[201] = "t100";
      more[202] = "data";
      more[203] = "x";
      HttpResponse<String> tooMany = client.publish(publisher(), more);
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("too many topics: 101, the limit is 100 per update");
      assertThat(client.publish(publisher(), "topic", "news", "data", "still served").statusCode()).isEqualTo(200);
    }
  }
}
