package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.auth.DevKeys;
import dev.herald.redis.RedisProcess;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two hubs started with {@code --redis} share one history: a publish on one reaches the other's subscribers. */
@Timeout(60)
class HubClusterTest {
  private static final String SECRET = "cluster-test-hs256-secret-0123456789abcdef";

  @TempDir Path dir;

  private static HubLauncher.Running node(String redisUri) throws Exception {
    String[] args = {"serve", "--bind", "127.0.0.1", "--port", "0", "--publisher-key", SECRET, "--anonymous",
        "--demo=false", "--redis", redisUri};
    HubSettings settings = ((ServeCommand) HeraldMain.commandLine(args, java.util.Map.of()).parseArgs(args)
        .subcommand().commandSpec().userObject()).settings();
    return HubLauncher.start(settings, null, new PrintStream(OutputStream.nullOutputStream()));
  }

  @Test
  void aPublishOnOneNodeReachesSubscribersOfAnotherAndAnOutageIsA503() throws Exception {
    String token = DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of("*"), List.of(),
        Instant.now().plus(Duration.ofHours(1)));
    try (RedisProcess redis = RedisProcess.startFast(dir);
        HubLauncher.Running a = node(redis.uri());
        HubLauncher.Running b = node(redis.uri())) {
      HubClient onA = new HubClient(a.hub.port());
      HubClient onB = new HubClient(b.hub.port());
      await().until(() -> onA.get("/readyz").statusCode() == 200 && onB.get("/readyz").statusCode() == 200);
      try (HubClient.Stream subscriber = onB.subscribe("topic=news", null)) {
        await().until(() -> b.hub.server().broker().subscriberCount("news") == 1);
        HttpResponse<String> published = onA.publish(token, "topic", "news", "data", "across nodes");
        assertThat(published.statusCode()).isEqualTo(200);
        HubClient.Stream.Received e = subscriber.take();
        assertThat(e.data()).isEqualTo("across nodes");
        assertThat(e.id()).isEqualTo(published.body().trim()).matches("\\d+-\\d+");
      }
      redis.close();
      await().until(() -> onA.get("/readyz").statusCode() == 503);
      HttpResponse<String> refused = onA.publish(token, "topic", "news", "data", "while Redis is away");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("Redis");
    }
  }
}
