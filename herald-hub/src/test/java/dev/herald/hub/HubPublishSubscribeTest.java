package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.auth.MercureSelector;
import dev.herald.server.InMemoryEventLog;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Mercure publish and subscribe protocol over HTTP, with authorisation stubbed. */
class HubPublishSubscribeTest {
  private Hub hub;
  private HubClient client;

  static HubSettings settings(boolean anonymous, int maxDataBytes, String... more) {
    List<String> options = new java.util.ArrayList<>(List.of("--bind", "127.0.0.1", "--port", "0", "--publisher-key", "k",
        "--anonymous=" + anonymous, "--store", "memory", "--history-max-events", "1000", "--max-data-bytes",
        Integer.toString(maxDataBytes), "--demo=false"));
    options.addAll(List.of(more));
    return ServeArgs.settings(options.toArray(new String[0]));
  }

  @BeforeEach
  void start() {
    hub = Hub.start(settings(true, 1024), new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true,
        MercureSelector::template, MercureSelector::urlPattern, null));
    client = new HubClient(hub.port());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private void awaitSubscribers(String topic, int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> hub.server().broker().subscriberCount(topic) == n);
  }

  @Test
  void publishedUpdateReachesSubscribersWithItsIdAndType() throws Exception {
    try (HubClient.Stream s = client.subscribe("topic=a", null)) {
      awaitSubscribers("a", 1);
      HttpResponse<String> r = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "hello", "type", "greeting");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
      String id = r.body().trim();
      HubClient.Stream.Received e = s.take();
      assertThat(e).isEqualTo(new HubClient.Stream.Received("greeting", "hello", id));
      assertThat(s.response.headers().firstValue("link")).hasValue("</.well-known/mercure>; rel=\"mercure\"");
    }
  }

  @Test
  void publishersOwnIdIsKept() throws Exception {
    try (HubClient.Stream s = client.subscribe("topic=a", null)) {
      awaitSubscribers("a", 1);
      HttpResponse<String> r = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x", "id", "urn:uuid:42");
      assertThat(r.body()).isEqualTo("urn:uuid:42");
      assertThat(s.take().id()).isEqualTo("urn:uuid:42");
      // As the reference hub: a reused id is a new update, refused to nobody.
      HttpResponse<String> again = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "y", "id", "urn:uuid:42");
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).isEqualTo("urn:uuid:42");
      assertThat(s.take()).isEqualTo(new HubClient.Stream.Received("message", "y", "urn:uuid:42"));
    }
  }

  @Test
  void aPublisherCannotTakeTheIdsTheHubAssignsAndSoCannotBlockOtherPublishes() throws Exception {
    try (HubClient.Stream s = client.subscribe("topic=a&topic=b", null)) {
      awaitSubscribers("a", 1);
      String first = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "first").body();
      assertThat(first).matches("#\\d+");
      long position = Long.parseLong(first.substring(1));
      // Before: a publisher sending the next position as its id made every id-less publish a 409.
      // Now the hub's ids are fragments (#62), which no publisher may send: the digits are its own.
      String digits = Long.toString(position + 1);
      HttpResponse<String> numeric = client.publish(TestAuth.PUB_A, "topic", "a", "data", "x", "id", digits);
      assertThat(numeric.statusCode()).as(numeric.body()).isEqualTo(200);
      assertThat(numeric.body()).isEqualTo(digits);
      HttpResponse<String> squat = client.publish(TestAuth.PUB_A, "topic", "a", "data", "y", "id", "#" + (position + 2));
      assertThat(squat.statusCode()).isEqualTo(400);
      assertThat(squat.body()).contains("id must not start with '#'");
      HttpResponse<String> other = client.publish(TestAuth.PUB_ALL, "topic", "b", "data", "second");
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(other.body()).isEqualTo("#" + (position + 2));
      assertThat(s.take().data()).isEqualTo("first");
      assertThat(s.take()).isEqualTo(new HubClient.Stream.Received("message", "x", digits));
      assertThat(s.take()).isEqualTo(new HubClient.Stream.Received("message", "second", "#" + (position + 2)));
    }
  }

  @Test
  void privateUpdatesReachOnlySubscribersWhoseTokenCoversThem() throws Exception {
    try (HubClient.Stream anon = client.subscribe("topic=a", null);
        HubClient.Stream authorised = client.subscribe("topic=a", TestAuth.SUB_ALL)) {
      awaitSubscribers("a", 2);
      client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "secret", "private", "on");
      client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "public");
      assertThat(authorised.take().data()).isEqualTo("secret");
      assertThat(authorised.take().data()).isEqualTo("public");
      assertThat(anon.take().data()).isEqualTo("public");
    }
  }

  @Test
  void thePrivateFieldMarksAnUpdatePrivateWhateverItsValueAsMercureSays() throws Exception {
    try (HubClient.Stream anon = client.subscribe("topic=a", null);
        HubClient.Stream authorised = client.subscribe("topic=a", TestAuth.SUB_ALL)) {
      awaitSubscribers("a", 2);
      for (String value : List.of("false", "0", "off", "")) {
        client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "private=" + value, "private", value);
      }
      client.post(TestAuth.PUB_ALL, "application/json", "{\"topic\":\"a\",\"data\":\"json private=false\",\"private\":false}");
      for (String value : List.of("false", "0", "off", "")) {
        assertThat(authorised.take().data()).isEqualTo("private=" + value);
      }
      assertThat(authorised.take().data()).isEqualTo("json private=false");
      assertThat(anon.take().data()).as("the anonymous subscriber sees only the JSON update marked public").isEqualTo("json private=false");
    }
  }

  @Test
  void jsonAndBatchBodiesPublishInOrderEachValidatedAlone() throws Exception {
    try (HubClient.Stream s = client.subscribe("topic=a", null)) {
      awaitSubscribers("a", 1);
      HttpResponse<String> one = client.post(TestAuth.PUB_ALL, "application/json", "{\"topic\":\"a\",\"data\":\"j1\"}");
      assertThat(one.statusCode()).isEqualTo(200);
      HttpResponse<String> batch = client.post(TestAuth.PUB_ALL, "application/json",
          "[{\"topic\":[\"a\"],\"data\":\"j2\"},{\"data\":\"no topic\"},{\"topic\":\"a\",\"data\":\"j3\",\"type\":\"t\"}]");
      assertThat(batch.statusCode()).isEqualTo(200);
      assertThat(batch.body()).matches("\\[\\{\"id\":\"#2\"},\\{\"status\":400,\"error\":\"missing topic.*\"},\\{\"id\":\"#3\"}]");
      assertThat(s.take().data()).isEqualTo("j1");
      assertThat(s.take().data()).isEqualTo("j2");
      assertThat(s.take()).isEqualTo(new HubClient.Stream.Received("t", "j3", "#3"));
    }
  }

  @Test
  void badPublishesGetClearErrorsAndTheHubGoesOn() throws Exception {
    HttpResponse<String> noToken = client.publish(null, "topic", "a", "data", "x");
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"herald\", resource_metadata=\"http://").doesNotContain("error="));
    assertThat(client.publish("garbage", "topic", "a", "data", "x").statusCode()).isEqualTo(401);
    HttpResponse<String> basic = client.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.base + Hub.PATH))
        .header("Authorization", "Basic dXNlcjpwYXNz").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("topic=a")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(basic.statusCode()).isEqualTo(400);
    assertThat(basic.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_request"));
    HttpResponse<String> notCovered = client.publish(TestAuth.PUB_A, "topic", "a", "topic", "b", "data", "x");
    assertThat(notCovered.statusCode()).isEqualTo(403);
    assertThat(notCovered.body()).contains("a, b");
    assertThat(notCovered.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).contains("insufficient_scope"));
    assertThat(client.publish(TestAuth.PUB_ALL, "data", "x").body()).startsWith("missing topic");
    HttpResponse<String> newline = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x", "id", "1\n2");
    assertThat(newline.statusCode()).isEqualTo(400);
    assertThat(newline.body()).contains("id must not contain CR or LF");
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x", "type", "a\rb").statusCode()).isEqualTo(400);
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x", "retry", "soon").statusCode()).isEqualTo(400);
    HttpResponse<String> control = client.publish(TestAuth.PUB_ALL, "topic", "a\u0001b", "data", "x");
    assertThat(control.statusCode()).isEqualTo(400);
    assertThat(control.body()).contains("control characters: U+0001 at index 1");
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a\u0085", "data", "x").statusCode()).isEqualTo(400);
    HttpResponse<String> reserved = client.publish(TestAuth.PUB_ALL, "topic", "/.well-known/mercure/subscriptions/a/b", "data", "x");
    assertThat(reserved.statusCode()).isEqualTo(403);
    assertThat(reserved.body()).contains("reserved for the hub");
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x", "id", "#frag").body()).contains("must not start with '#'");
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x", "type", "mercure").statusCode()).isEqualTo(400);
    HttpResponse<String> big = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x".repeat(2000));
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("size limit");
    // Past the request body limit (never below the server's 1 MiB default): refused before it is parsed.
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x".repeat(Hub.requestBodyLimit(1024) + 1)).statusCode())
        .isEqualTo(413);
    assertThat(client.post(TestAuth.PUB_ALL, "text/plain", "hello").statusCode()).isEqualTo(415);
    assertThat(client.post(TestAuth.PUB_ALL, "application/json", "{oops").statusCode()).isEqualTo(400);
    assertThat(client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "fine").statusCode()).isEqualTo(200);
  }

  @Test
  void matchSelectorsInEverySpellingAreOredAndUnknownMatchParametersAreRefused() throws Exception {
    String url = java.net.URLEncoder.encode("https://example.com/books/:id", java.nio.charset.StandardCharsets.UTF_8);
    try (HubClient.Stream s = client.subscribe("match=a&matchExact=b&match_exact=c&matchURLPattern=" + url, null)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> s.response != null);
      assertThat(s.response.statusCode()).isEqualTo(200);
      awaitSubscribers("a", 1);
      for (String topic : List.of("d", "a", "b", "c", "https://example.com/books/1")) {
        assertThat(client.publish(TestAuth.PUB_ALL, "topic", topic, "data", topic).statusCode()).isEqualTo(200);
      }
      assertThat(List.of(s.take().data(), s.take().data(), s.take().data(), s.take().data()))
          .containsExactly("a", "b", "c", "https://example.com/books/1");
    }
    HttpResponse<String> unknown = client.http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(client.base + Hub.PATH + "?match=a&matchFoo=b"))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown parameter matchFoo");
  }

  @Test
  void resumeFromAnUnknownIdSaysEarliestThenSendsTheRetainedHistory() throws Exception {
    client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "e1");
    client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "e2");
    try (HubClient.Stream s = client.resume("topic=a", null, "urn:unknown")) {
      HubClient.Stream.Received cut = s.take();
      assertThat(cut.type()).isEqualTo("history-cut");
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("earliest");
      // Mercure 1.0's name for it, as the reference hub sends it.
      assertThat(s.response.headers().firstValue("mercure-last-event-id")).hasValue("earliest");
      assertThat(s.take().data()).isEqualTo("e1");
      assertThat(s.take().data()).isEqualTo("e2");
    }
    try (HubClient.Stream s = client.subscribe("topic=a&lastEventID=%231", null)) {
      assertThat(s.take().data()).isEqualTo("e2");
    }
  }

  @Test
  void healthReadinessAndMetricsAreServed() throws Exception {
    assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(client.get("/readyz").body()).isEqualTo("ready\n");
    client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "x");
    String metrics = client.get("/metrics").body();
    assertThat(metrics).contains("herald_events_published_total 1.0", "herald_connections ",
        "herald_store_append_seconds", "herald_events_delivered_total");
  }

  @Test
  void activeSubscriptionsArePublishedAndListedToAuthorisedSubscribers() throws Exception {
    hub.close();
    hub = Hub.start(settings(true, 1024, "--subscriptions"), new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true,
        MercureSelector::template, MercureSelector::urlPattern, null));
    client = new HubClient(hub.port());
    try (HubClient.Stream watcher = client.subscribe("topic=" + java.net.URLEncoder.encode(
        "/.well-known/mercure/subscriptions/{topic}/{subscriber}", java.nio.charset.StandardCharsets.UTF_8), TestAuth.SUB_ALL)) {
      await().until(() -> hub.server().broker().connectionCount() == 1);
      String subscriber;
      // The watcher's own subscription is announced first.
      assertThat(watcher.take().data()).contains("\"subscriber\":\"urn:uuid:");
      try (HubClient.Stream s = client.subscribe("topic=a", null)) {
        com.fasterxml.jackson.databind.JsonNode on = new com.fasterxml.jackson.databind.ObjectMapper().readTree(watcher.take().data());
        assertThat(on.get("type").asText()).isEqualTo("Subscription");
        assertThat(on.get("topic").asText()).isEqualTo("a");
        assertThat(on.get("active").asBoolean()).isTrue();
        subscriber = on.get("subscriber").asText();
        assertThat(subscriber).startsWith("urn:uuid:");

        java.net.http.HttpResponse<String> listed = client.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(client.base + "/.well-known/mercure/subscriptions/a"))
            .header("Authorization", "Bearer " + TestAuth.SUB_ALL).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.headers().firstValue("content-type")).hasValue("application/ld+json");
        assertThat(listed.body()).contains("\"type\":\"Subscriptions\"", "\"subscriber\":\"" + subscriber + "\"");
        assertThat(client.get("/.well-known/mercure/subscriptions").statusCode()).isEqualTo(401);
      }
      com.fasterxml.jackson.databind.JsonNode off = new com.fasterxml.jackson.databind.ObjectMapper().readTree(watcher.take().data());
      assertThat(off.get("active").asBoolean()).isFalse();
      assertThat(off.get("subscriber").asText()).isEqualTo(subscriber);
    }
  }

  @Test
  void subscriptionEventsOfA10MatcherNameItsTypeAndCarryThePayloadOfTheSubscribersToken() throws Exception {
    hub.close();
    hub = Hub.start(settings(true, 1024, "--subscriptions"), new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true,
        MercureSelector::template, MercureSelector::urlPattern, null));
    client = new HubClient(hub.port());
    long exp = java.time.Instant.now().getEpochSecond() + 600;
    String alice = MercureTokens.hs256("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", "{\"exp\":" + exp + ","
        + "\"authorization_details\":[{\"type\":\"https://mercure.rocks/authorization-detail\",\"actions\":[\"subscribe\"],"
        + "\"topics\":[{\"match\":\"https://example.com/books/:id\",\"match_type\":\"urlpattern\"}],"
        + "\"payload\":{\"user\":\"alice\"}}]}", TestAuth.SECRET);
    String pattern = "https://example.com/books/:id";
    String enc = java.net.URLEncoder.encode(pattern, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    try (HubClient.Stream watcher = client.subscribe("match_urlpattern="
        + java.net.URLEncoder.encode("/.well-known/mercure/subscriptions/urlpattern/*", java.nio.charset.StandardCharsets.UTF_8),
        TestAuth.SUB_ALL)) {
      await().until(() -> hub.server().broker().connectionCount() == 1);
      assertThat(watcher.take().data()).contains("\"match_type\":\"urlpattern\"");
      try (HubClient.Stream s = client.subscribe("match_urlpattern=" + enc, alice)) {
        com.fasterxml.jackson.databind.JsonNode on = new com.fasterxml.jackson.databind.ObjectMapper().readTree(watcher.take().data());
        String subscriber = on.get("subscriber").asText();
        assertThat(on.get("id").asText()).isEqualTo("/.well-known/mercure/subscriptions/urlpattern/" + enc + "/"
            + java.net.URLEncoder.encode(subscriber, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(on.get("match_type").asText()).isEqualTo("urlpattern");
        assertThat(on.get("match").asText()).isEqualTo(pattern);
        assertThat(on.has("topic")).isFalse();
        assertThat(on.get("payload").toString()).isEqualTo("{\"user\":\"alice\"}");

        HttpResponse<String> listed = client.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(client.base + "/.well-known/mercure/subscriptions/urlpattern/" + enc))
            .header("Authorization", "Bearer " + TestAuth.SUB_ALL).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(listed.body());
        assertThat(list.get("subscriptions")).hasSize(1);
        assertThat(list.get("subscriptions").get(0).get("subscriber").asText()).isEqualTo(subscriber);
        assertThat(list.get("subscriptions").get(0).get("payload").get("user").asText()).isEqualTo("alice");
      }
    }
  }

  @Test
  void anonymousSubscribersAreRefusedWhenNotAllowed() throws Exception {
    Hub strict = Hub.start(settings(false, 1024), new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true,
        MercureSelector::template, MercureSelector::urlPattern, null));
    try {
      HttpResponse<String> r = new HubClient(strict.port()).get(Hub.PATH + "?topic=a");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate")).isPresent();
    } finally {
      strict.close();
    }
  }
}
