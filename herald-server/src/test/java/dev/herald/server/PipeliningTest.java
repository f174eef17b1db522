package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several requests in one write are answered in order, every one, though the first is answered
 * later than the ones after it could be: here {@code POST /publish} answers after a delay, as a
 * publish answers after its store, while {@code GET /healthz} answers at once.
 */
class PipeliningTest {
  private static final String POST = "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  private static final String HEALTH = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  private static final String HEALTH_CLOSE = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  private static HeraldServer server;

  @BeforeAll
  static void start() {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .endpoint("/healthz", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, "ok")))
        .endpoint("/publish", r -> CompletableFuture.supplyAsync(() -> r.bodyText(),
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS))
            .thenCompose(data -> server.broker().publish("t", Event.of(data)))
            .thenApply(id -> EndpointResponse.text(200, "published " + id)))
        .build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aGetBehindAPostIsAnsweredAfterThePost() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send(POST + HEALTH);
      assertThat(w.read().body()).startsWith("published ");
      assertThat(w.read().body()).isEqualTo("ok\n");
      // Still open for more.
      w.send(HEALTH);
      assertThat(w.read().body()).isEqualTo("ok\n");
    }
  }

  @Test
  void connectionCloseOnTheLastRequestStillAnswersTheEarlierOnes() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send(POST + HEALTH_CLOSE);
      Wire.Response publish = w.read();
      assertThat(publish.status()).isEqualTo(200);
      assertThat(publish.body()).startsWith("published ");
      Wire.Response health = w.read();
      assertThat(health.body()).isEqualTo("ok\n");
      assertThat(health.headers()).containsEntry("connection", "close");
      assertThat(w.closed()).isTrue();
    }
  }

  @Test
  void threeRequestsInOneWriteGetThreeAnswersInOrder() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send(HEALTH + POST + HEALTH_CLOSE);
      List<String> bodies = List.of(w.read().body(), w.read().body(), w.read().body());
      assertThat(bodies.get(0)).isEqualTo("ok\n");
      assertThat(bodies.get(1)).startsWith("published ");
      assertThat(bodies.get(2)).isEqualTo("ok\n");
      assertThat(w.closed()).isTrue();
    }
  }

  @Test
  void requestsAfterOneThatClosesAreNotServed() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send(HEALTH_CLOSE + POST);
      assertThat(w.read().body()).isEqualTo("ok\n");
      assertThat(w.closed()).isTrue();
    }
  }

  @Test
  void aStreamBehindAPlainRequestStartsAfterItsAnswer() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send(POST + "GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
      assertThat(w.read().body()).startsWith("published ");
      // The stream's head comes second; its body is chunked and runs on.
      assertThat(w.awaitRest("retry: 3000")).startsWith("HTTP/1.1 200 OK\r\n").contains("transfer-encoding: chunked");
    }
  }
}
