package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/1.0 gets what it understands; versions the server does not speak and hostless HTTP/1.1 are refused (RFC 9112). */
class HttpVersionTest {
  private static HeraldServer server;

  @BeforeAll
  static void start() {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .endpoint("/healthz", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, "ok")))
        .build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anHttp10StreamRunsUntilCloseWithoutChunks() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      w.send("GET /events?topic=old HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n");
      String head = w.awaitRest("\r\n\r\nretry: 3000\n\n");
      assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("connection: close\r\n")
          .doesNotContainIgnoringCase("transfer-encoding").doesNotContainIgnoringCase("content-length");
      await().until(() -> server.broker().subscriberCount("old") == 1);
      server.broker().publish("old", Event.of("plain"));
      // The frames exactly, with no chunk size lines around them.
      assertThat(w.awaitRest("data: plain\n\n")).endsWith("\r\n\r\nretry: 3000\n\nid: #1\ndata: plain\n\n");
    }
  }

  @Test
  void anHttp10PlainRequestGetsContentLengthAndAClose() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      Wire.Response r = w.send("GET /healthz HTTP/1.0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("content-length", "3").containsEntry("connection", "close");
      assertThat(r.body()).isEqualTo("ok\n");
      assertThat(w.closed()).isTrue();
    }
  }

  @Test
  void anHttp10KeepAliveRequestIsToldTheConnectionStays() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      Wire.Response r = w.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      assertThat(r.headers()).containsEntry("connection", "keep-alive");
      assertThat(w.send("GET /healthz HTTP/1.0\r\n\r\n").read().body()).isEqualTo("ok\n");
    }
  }

  @Test
  void anotherMajorVersionIs505() throws Exception {
    for (String version : new String[] {"HTTP/9.9", "HTTP/2.0", "HTTP/0.9"}) {
      try (Wire w = Wire.connect(server.port())) {
        Wire.Response r = w.send("GET /healthz " + version + "\r\nHost: x\r\n\r\n").read();
        assertThat(r.status()).as(version).isEqualTo(505);
        assertThat(r.body()).isEqualTo("HTTP version " + version + " is not supported: use HTTP/1.1 (or HTTP/2, HTTP/1.0)\n");
        assertThat(w.closed()).isTrue();
      }
    }
  }

  @Test
  void http11WithoutHostIs400() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      Wire.Response r = w.send("GET /healthz HTTP/1.1\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).isEqualTo("missing Host header: HTTP/1.1 requires one\n");
    }
  }

  @Test
  void http11WithTwoHostsIs400() throws Exception {
    try (Wire w = Wire.connect(server.port())) {
      Wire.Response r = w.send("GET /events?topic=t HTTP/1.1\r\nHost: a\r\nHost: b\r\nAccept: text/event-stream\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).isEqualTo("more than one Host header\n");
    }
  }
}
