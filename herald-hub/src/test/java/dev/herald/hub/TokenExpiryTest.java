package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.hub.auth.DevKeys;
import dev.herald.hub.auth.JwtVerifier;
import dev.herald.testing.EventStreamReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mercure: a subscriber's stream does not outlive the token that opened it. */
@Timeout(60)
class TokenExpiryTest {
  private static final String SECRET = "token-expiry-test-hs256-secret-0123456789";

  @Test
  void aStreamEndsWhenItsTokenExpiresAndTheSameTokenCannotOpenAnother() throws Exception {
    try (Hub hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--publisher-key", SECRET,
        "--anonymous=false", "--demo=false", "--store", "memory")) {
      // JWT times are whole seconds: this token expires 2 to 3 seconds from now.
      Instant exp = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
      String token = DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of(), List.of("*"), exp);
      HttpRequest subscribe = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + hub.port() + Hub.PATH + "?topic=news"))
          .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token).build();

      HttpResponse<InputStream> stream = EventStreamReader.HTTP.send(subscribe, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stream.statusCode()).isEqualTo(200);
      CompletableFuture<Instant> ended = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = stream.body()) {
          in.transferTo(OutputStream.nullOutputStream()); // returns when the hub ends the stream
          return Instant.now();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(ended.get(20, TimeUnit.SECONDS)).isAfterOrEqualTo(exp);

      HttpResponse<String> again = EventStreamReader.HTTP.send(subscribe, HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).isEqualTo(401);
      assertThat(again.headers().firstValue("www-authenticate")).hasValueSatisfying(
          challenge -> assertThat(challenge).contains("invalid_token").contains("expired"));
      // Within the verifier's clock skew the token still verifies: the refusal is the subscribe side's.
      assertThat(Duration.between(exp, Instant.now())).isLessThan(JwtVerifier.DEFAULT_CLOCK_SKEW);
    }
  }
}
