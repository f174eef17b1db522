package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.auth.DevKeys;
import dev.herald.redis.RedisProcess;
import dev.herald.server.browser.Chromium;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hubs started with {@code --redis} share one history (a publish on one reaches the other's
 * subscribers) and report the whole cluster's figures.
 */
@Timeout(90)
class HubClusterTest {
  @RegisterExtension static final Chromium chromium = Chromium.headless();
  private static final String SECRET = "cluster-test-hs256-secret-0123456789abcdef";

  @TempDir Path dir;

  private static Hub node(String redisUri, String... more) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("--bind", "127.0.0.1", "--port", "0",
        "--publisher-key", SECRET, "--anonymous", "--demo=false", "--redis", redisUri));
    all.addAll(List.of(more));
    return ServeArgs.start(all.toArray(String[]::new));
  }

  @Test
  void aPublishOnOneNodeReachesSubscribersOfAnotherAndAnOutageIsA503() throws Exception {
    String token = token(List.of("*"), List.of());
    try (RedisProcess redis = RedisProcess.startFast(dir);
        Hub a = node(redis.uri());
        Hub b = node(redis.uri())) {
      HubClient onA = ready(a);
      HubClient onB = ready(b);
      try (HubClient.Stream subscriber = onB.subscribe("topic=news", null)) {
        await().until(() -> b.server().broker().subscriberCount("news") == 1);
        HttpResponse<String> published = onA.publish(token, "topic", "news", "data", "across nodes");
        assertThat(published.statusCode()).isEqualTo(200);
        HubClient.Stream.Received e = subscriber.take();
        assertThat(e.data()).isEqualTo("across nodes");
        assertThat(e.id()).isEqualTo(published.body().trim()).matches("#\\d+-\\d+");
      }
      redis.close();
      await().until(() -> onA.get("/readyz").statusCode() == 503);
      HttpResponse<String> refused = onA.publish(token, "topic", "news", "data", "while Redis is away");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("Redis");
    }
  }

  @Test
  void everyNodeShowsTheWholeClusterFiguresInMetricsAndTheConsoleWhileRedisAnswers() throws Exception {
    try (RedisProcess redis = RedisProcess.startFast(dir);
        Hub a = node(redis.uri());
        Hub b = node(redis.uri())) {
      HubClient onA = ready(a);
      HubClient onB = ready(b);
      try (HubClient.Stream two = onA.subscribe("topic=news&topic=sport", null);
          HubClient.Stream one = onA.subscribe("topic=news", null);
          HubClient.Stream other = onB.subscribe("topic=weather", null)) {
        // 3 streams following 4 topic selectors, over 2 nodes: each node sees the sums.
        for (HubClient node : List.of(onA, onB)) {
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(node.get("/metrics").body())
              .contains("herald_cluster_nodes 2.0", "herald_cluster_connections 3.0",
                  "herald_cluster_subscriptions 4.0"));
        }

        // The console of node B: its own figures, and the cluster's in a line of their own. The
        // console's two streams (topics and figures) are on B too: 5 connections in all.
        WebDriver d = chromium.driver();
        d.get(onB.base + "/");
        await().atMost(Duration.ofSeconds(30)).until(() -> d.findElement(By.id("cluster")).isDisplayed()
            && d.findElement(By.id("fig-cluster-nodes")).getText().equals("2")
            && d.findElement(By.id("fig-cluster-connections")).getText().equals("5"));
      }
      // Streams that end leave the sums.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(onA.get("/metrics").body())
          .contains("herald_cluster_connections 2.0"));

      redis.close();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(onA.get("/metrics").body())
          .contains("herald_cluster_nodes NaN"));
    }
  }

  /** A client of {@code node}, once the node is ready (Redis answers). */
  private static HubClient ready(Hub node) {
    HubClient client = new HubClient(node.port());
    await().until(() -> client.get("/readyz").statusCode() == 200);
    return client;
  }

  private static String token(List<String> publish, List<String> subscribe) {
    return DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), publish, subscribe,
        Instant.now().plus(Duration.ofHours(1)));
  }

  @Test
  void privateUpdatesJwtChecksCorsAndHeartbeatsAcrossNodesBehaveAsOnOneNode() throws Exception {
    String[] options = {"--cors-origins", "https://app.example", "--heartbeat", "PT0.2S"};
    try (RedisProcess redis = RedisProcess.startFast(dir);
        Hub a = node(redis.uri(), options);
        Hub b = node(redis.uri(), options)) {
      HubClient onA = ready(a);
      HubClient onB = ready(b);
      String publisher = token(List.of("*"), List.of());
      try (HubClient.Stream anonymous = onB.subscribe("topic=users/1", null);
          HubClient.Stream owner = onB.subscribe("topic=users/1", token(List.of(), List.of("users/1")));
          HubClient.Stream stranger = onB.subscribe("topic=users/1", token(List.of(), List.of("users/2")))) {
        await().until(() -> b.server().broker().subscriberCount("users/1") == 3);

        // JWT checks on the publishing node: no token, a subscriber's token, then the publisher's.
        assertThat(onA.publish(null, "topic", "users/1", "data", "x").statusCode()).isEqualTo(401);
        assertThat(onA.publish(token(List.of(), List.of("*")), "topic", "users/1", "data", "x").statusCode())
            .isEqualTo(403);
        assertThat(onA.publish(publisher, "topic", "users/1", "data", "for the owner", "private", "on").statusCode())
            .isEqualTo(200);
        assertThat(onA.publish(publisher, "topic", "users/1", "data", "for all").statusCode()).isEqualTo(200);

        // The private update, published on A, reaches on B only the subscriber whose token covers it.
        assertThat(owner.take().data()).isEqualTo("for the owner");
        assertThat(owner.take().data()).isEqualTo("for all");
        assertThat(anonymous.take().data()).isEqualTo("for all");
        assertThat(stranger.take().data()).isEqualTo("for all");
      }

      // CORS and heartbeats on a cluster node: the allowed origin is echoed, quiet streams get comments.
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", b.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + Hub.PATH + "?topic=quiet HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Accept: text/event-stream\r\nOrigin: https://app.example\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        java.io.InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[1024];
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.toString().contains("\n:") && System.nanoTime() < deadline) {
          int n = in.read(buf);
          if (n < 0) break;
          seen.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        assertThat(seen.toString().toLowerCase(java.util.Locale.ROOT))
            .startsWith("http/1.1 200")
            .contains("access-control-allow-origin: https://app.example")
            .contains("\n:");
      }
    }
  }

  @Test
  void withRedisReplicasAPublishNoReplicaReceivedIsRefusedWith503() throws Exception {
    try (RedisProcess redis = RedisProcess.startFast(dir);
        Hub a = node(redis.uri(), "--redis-replicas", "1")) {
      HubClient onA = ready(a);
      HttpResponse<String> refused = onA.publish(token(List.of("*"), List.of()), "topic", "news", "data", "x");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("Redis replicas unavailable: 0 of 1");
    }
  }
}
