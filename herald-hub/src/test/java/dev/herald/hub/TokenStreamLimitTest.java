package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --max-streams-per-token}: one token holds at most that many streams; beyond, a 429. */
@Timeout(60)
class TokenStreamLimitTest {
  private static final String SECRET = "!ChangeThisMercureHubJWTSecretKey!";
  private Hub hub;

  @AfterEach
  void stop() {
    if (hub != null) hub.close();
  }

  private static String token(String subscriber) {
    return MercureTokens.hs256("{\"alg\":\"HS256\"}", "{\"sub\":\"" + subscriber + "\",\"mercure\":{\"subscribe\":[\"*\"]}}",
        SECRET);
  }

  private static int status(HubClient.Stream s) {
    await().atMost(Duration.ofSeconds(30)).until(() -> s.response != null);
    return s.response.statusCode();
  }

  @Test
  void aTokenHoldsAtMostTheLimitAndGetsA429BeyondWhileOthersAreServed() throws Exception {
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false",
        "--publisher-key", SECRET, "--anonymous", "--max-streams-per-token", "2");
    HubClient client = new HubClient(hub.port());
    String alice = token("alice");
    try (HubClient.Stream a1 = client.subscribe("topic=a", alice); HubClient.Stream a2 = client.subscribe("topic=b", alice);
        HubClient.Stream bob = client.subscribe("topic=a", token("bob")); HubClient.Stream anon = client.subscribe("topic=a", null)) {
      for (HubClient.Stream s : List.of(a1, a2, bob, anon)) assertThat(status(s)).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).until(() -> hub.server().broker().connectionCount() == 4);

      try (HubClient.Stream a3 = client.subscribe("topic=c", alice)) {
        assertThat(status(a3)).isEqualTo(429);
        assertThat(a3.response.headers().firstValue("retry-after")).isPresent();
      }
      a1.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> hub.server().broker().connectionCount() == 3);
      try (HubClient.Stream again = client.subscribe("topic=c", alice)) {
        assertThat(status(again)).as("a closed stream frees its place").isEqualTo(200);
      }
    }
  }

  @Test
  void theLimitIsOffByDefault() {
    assertThat(ServeArgs.settings("--publisher-key", SECRET).tokens().maxStreamsPerToken()).isZero();
  }
}
