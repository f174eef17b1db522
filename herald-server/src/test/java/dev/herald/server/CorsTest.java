package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CORS on the wire: allow-list echoed, credentials, preflights, refusals. */
class CorsTest {
  private HeraldServer server;

  private int start(CorsPolicy cors) {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).cors(cors).build().start();
    return server.port();
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void allowedOriginIsEchoedWithCredentials() throws Exception {
    int port = start(CorsPolicy.allowOrigins("https://app.example").withCredentials());
    try (RawClient c = RawClient.connect(port)) {
      c.get("/events?topic=a", "Origin: https://app.example").readHead();
      assertThat(c.status()).isEqualTo(200);
      assertThat(c.headers)
          .containsEntry("access-control-allow-origin", "https://app.example")
          .containsEntry("access-control-allow-credentials", "true")
          .containsEntry("vary", "origin");
    }
  }

  @Test
  void originOutsideTheAllowListIs403() throws Exception {
    int port = start(CorsPolicy.allowOrigins("https://app.example"));
    try (RawClient c = RawClient.connect(port)) {
      c.get("/events?topic=a", "Origin: https://evil.example").readHead();
      assertThat(c.status()).isEqualTo(403);
      assertThat(c.headers).doesNotContainKey("access-control-allow-origin");
      assertThat(c.awaitBody("\n")).contains("https://evil.example is not allowed");
    }
  }

  @Test
  void anyOriginAnswersStarWithoutCredentials() throws Exception {
    int port = start(CorsPolicy.anyOrigin());
    try (RawClient c = RawClient.connect(port)) {
      c.get("/events?topic=a", "Origin: https://whoever.example").readHead();
      assertThat(c.headers).containsEntry("access-control-allow-origin", "*")
          .doesNotContainKey("access-control-allow-credentials");
    }
  }

  @Test
  void sameOriginRequestsNeedNoPolicy() throws Exception {
    int port = start(CorsPolicy.sameOrigin());
    try (RawClient c = RawClient.connect(port)) {
      c.send("GET /events?topic=a HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:" + port + "\r\n\r\n")
          .readHead();
      assertThat(c.status()).isEqualTo(200);
    }
  }

  @Test
  void preflightForLastEventIdIsAnswered() throws Exception {
    int port = start(CorsPolicy.allowOrigins("https://app.example").withCredentials());
    try (RawClient c = RawClient.connect(port)) {
      c.send("OPTIONS /events?topic=a HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
          + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: last-event-id\r\n\r\n").readHead();
      assertThat(c.status()).isEqualTo(204);
      assertThat(c.headers)
          .containsEntry("access-control-allow-origin", "https://app.example")
          .containsEntry("access-control-allow-methods", "GET, POST, OPTIONS")
          .containsEntry("access-control-allow-headers", "last-event-id")
          .containsEntry("access-control-allow-credentials", "true")
          .containsKey("access-control-max-age");
    }
  }

  @Test
  void preflightFromAnotherOriginIs403() throws Exception {
    int port = start(CorsPolicy.allowOrigins("https://app.example"));
    try (RawClient c = RawClient.connect(port)) {
      c.send("OPTIONS /events HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
          + "Access-Control-Request-Method: GET\r\n\r\n").readHead();
      assertThat(c.status()).isEqualTo(403);
    }
  }

  @Test
  void credentialsCannotBeCombinedWithAnyOrigin() {
    assertThatThrownBy(() -> CorsPolicy.anyOrigin().withCredentials())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("any origin");
  }

  @Test
  void originsMustBeSchemeHostAndPort() {
    assertThatThrownBy(() -> CorsPolicy.allowOrigins("https://app.example/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without path");
  }
}
