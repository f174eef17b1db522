package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A subscription with an end (its token's expiry, in the hub) ends the stream then, live or quiet. */
class SubscriptionEndTest {
  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void theServerEndsAStreamWhenItsSubscriptionEndsAndNotBefore() throws Exception {
    AtomicReference<Instant> endsAt = new AtomicReference<>();
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .topicSelector(request -> {
          endsAt.set(Instant.now().plusMillis(400));
          return Subscription.of("t").endingAt(endsAt.get());
        })
        .build().start();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t").readHead().awaitBody("retry");
      server.broker().publish("t", Event.of("before the end")).toCompletableFuture().get();
      c.awaitBody("before the end");

      String body = c.awaitEnd();
      assertThat(Instant.now()).isAfterOrEqualTo(endsAt.get());
      assertThat(body).endsWith("data: before the end\n\n");
      assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aSubscriptionThatEndedAlreadyEndsItsStreamAtOnce() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .topicSelector(request -> Subscription.of("t").endingAt(Instant.now().minusSeconds(1)))
        .build().start();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t").readHead();
      assertThat(c.awaitEnd()).isEqualTo("retry: 3000\n\n");
    }
  }
}
