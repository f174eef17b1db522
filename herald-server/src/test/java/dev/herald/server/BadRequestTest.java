package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear 4xx naming what was wrong, and everyone else keeps being served. */
class BadRequestTest {
  private static HeraldServer server;
  private static RawClient bystander;

  @BeforeAll
  static void start() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).maxTopicsPerConnection(3).build().start();
    bystander = RawClient.connect(server.port());
    bystander.get("/events?topic=bystander").readHead().awaitBody("retry");
    await().until(() -> server.broker().subscriberCount("bystander") == 1);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      // Whatever the other tests sent, the established subscriber is still served.
      server.broker().publish("bystander", Event.of("still here"));
      assertThat(bystander.awaitBody("still here")).endsWith("data: still here\n\n");
    } finally {
      bystander.close();
      server.close();
    }
  }

  private static RawClient rejected(String request) throws Exception {
    RawClient c = RawClient.connect(server.port()).send(request).readHead();
    c.awaitEnd();
    return c;
  }

  @Test
  void unknownPathIs404() throws Exception {
    try (RawClient c = rejected("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(404);
      assertThat(c.headers).containsEntry("content-type", "text/plain; charset=utf-8");
      assertThat(c.body()).isEqualTo("no event stream at /nope\n");
    }
  }

  @Test
  void otherMethodsAre405WithAllow() throws Exception {
    try (RawClient c = rejected("DELETE /events?topic=a HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(405);
      assertThat(c.headers).containsEntry("allow", "GET, OPTIONS");
      assertThat(c.body()).contains("DELETE is not allowed");
    }
  }

  @Test
  void acceptThatExcludesEventStreamIs406() throws Exception {
    try (RawClient c = rejected("GET /events?topic=a HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(406);
      assertThat(c.body()).contains("text/event-stream");
    }
  }

  @Test
  void missingTopicIs400() throws Exception {
    try (RawClient c = rejected("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.body()).contains("no topic");
    }
  }

  @Test
  void topicsOverTheLimitAre400() throws Exception {
    try (RawClient c = rejected("GET /events?topic=a&topic=b&topic=c&topic=d HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.body()).isEqualTo("too many topics: 4, the limit is 3 per connection\n");
    }
  }

  @Test
  void overlongLastEventIdIs400() throws Exception {
    String id = "x".repeat(2000);
    try (RawClient c = rejected("GET /events?topic=a HTTP/1.1\r\nHost: x\r\nLast-Event-ID: " + id + "\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.body()).contains("invalid Last-Event-ID");
    }
  }

  @Test
  void lastEventIdWithInvalidUtf8Is400() throws Exception {
    try (RawClient c = RawClient.connect(server.port())) {
      byte[] head = "GET /events?topic=a HTTP/1.1\r\nHost: x\r\nLast-Event-ID: ".getBytes();
      byte[] req = java.util.Arrays.copyOf(head, head.length + 5);
      req[head.length] = (byte) 0xC3; // truncated two-byte sequence
      System.arraycopy("\r\n\r\n".getBytes(), 0, req, head.length + 1, 4);
      c.sendBytes(req).readHead();
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.awaitBody("\n")).contains("invalid Last-Event-ID");
    }
  }

  @Test
  void hugeHeadersAre431() throws Exception {
    String big = "a".repeat(40_000);
    try (RawClient c = rejected("GET /events?topic=a HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(431);
      assertThat(c.body()).contains("too large");
    }
  }

  @Test
  void overlongRequestLineIs414() throws Exception {
    String longTopic = "t".repeat(20_000);
    try (RawClient c = rejected("GET /events?topic=" + longTopic + " HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(414);
    }
  }

  @Test
  void garbageIs400() throws Exception {
    try (RawClient c = rejected("\u0001\u0002 nonsense\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.body()).startsWith("malformed request");
    }
  }

  @Test
  void malformedPercentEscapeIs400() throws Exception {
    try (RawClient c = rejected("GET /events?topic=%zz HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(c.status()).isEqualTo(400);
      assertThat(c.body()).startsWith("malformed URL");
    }
  }

  @Test
  void aConnectionThatNeverSendsARequestIsClosedAfterTheRequestTimeout() throws Exception {
    HeraldServer quick = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .requestTimeout(Duration.ofMillis(200)).build().start();
    try (RawClient c = RawClient.connect(quick.port())) {
      assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
    } finally {
      quick.close();
    }
  }
}
