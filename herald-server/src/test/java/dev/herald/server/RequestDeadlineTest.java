package dev.herald.server;

import dev.herald.testing.EventStreamReader;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request must arrive whole within the deadline from its first byte, however steadily it
 * trickles: the silence timeout alone would let one byte every few seconds hold a connection for
 * hours. The deadline here is short; the silence timeout is long, so only the deadline can fire.
 */
class RequestDeadlineTest {
  private static final Duration DEADLINE = Duration.ofMillis(800);
  private static final Duration TRICKLE = Duration.ofMillis(50);

  private static HeraldServer server;

  @BeforeAll
  static void start() {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .requestTimeout(Duration.ofMinutes(5))
        .requestDeadline(DEADLINE)
        .endpoint("/publish", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, r.bodyText())))
        .build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Sends {@code bytes} one at a time, pausing between them (the pace is the behaviour under test), until the server answers. */
  private static Wire.Response trickle(Wire w, String bytes) throws Exception {
    long start = System.nanoTime();
    for (char c : bytes.toCharArray()) {
      if (w.socket.getInputStream().available() > 0) break;
      try {
        w.send(String.valueOf(c));
      } catch (IOException closed) {
        break; // the server answered and closed
      }
      Thread.sleep(TRICKLE.toMillis());
      if (System.nanoTime() - start > Wire.WAIT.toNanos()) break;
    }
    return w.read();
  }

  @Test
  void headersTrickledSlowerThanTheDeadlineAre408() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      Wire.Response r = trickle(w, "GET /publish HTTP/1.1\r\nHost: x\r\n" + "X-Slow: y\r\n".repeat(100) + "\r\n");
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(r.body()).isEqualTo("request not received within 800 ms\n");
      assertThat(w.closed()).isTrue();
    }
  }

  @Test
  void aBodyTrickledSlowerThanTheDeadlineIs408() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
      Wire.Response r = trickle(w, "d".repeat(1000));
      assertThat(r.status()).isEqualTo(408);
      assertThat(w.closed()).isTrue();
    }
  }

  @Test
  void eachRequestOfAKeptAliveConnectionHasItsOwnDeadline() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      for (int i = 0; i < 3; i++) {
        assertThat(w.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi").read().body()).isEqualTo("hi\n");
        // Longer than the deadline between requests: the next one's clock starts at its first byte.
        Thread.sleep(DEADLINE.toMillis() / 2);
      }
    }
  }

  @Test
  void anH2cUpgradedStreamOutlivesTheRequestClocks() throws Exception {
    Duration quick = Duration.ofMillis(300);
    try (HeraldServer h2c = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .requestTimeout(quick).requestDeadline(quick).build().start()) {
      java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_2).build();
      try (EventStreamReader s = EventStreamReader.open(client,
          java.net.URI.create("http://127.0.0.1:" + h2c.port() + "/events?topic=t"), null)) {
        org.awaitility.Awaitility.await().until(() -> h2c.broker().subscriberCount("t") == 1 && s.response != null);
        assertThat(s.response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        // Quiet for several times both clocks (the pace is the behaviour under test).
        Thread.sleep(quick.toMillis() * 4);
        h2c.broker().publish("t", dev.herald.protocol.Event.of("still open"));
        assertThat(s.take().data()).isEqualTo("still open");
      }
    }
  }
}
