package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSource;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * herald.tomcat.*: the buffers every Tomcat connection keeps for its whole life, which an idle
 * stream holds (docs/benchmarks.md, Spring). Set, Tomcat's connector takes them, and streams still
 * carry events many times larger; unset, Tomcat keeps its own (MvcStreamTest).
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=servlet", "herald.tomcat.socket-buffer-bytes=1024",
        "herald.tomcat.max-trailer-bytes=1024"})
class TomcatConnectionBuffersTest {
  @Autowired
  WebServerApplicationContext context;

  @Autowired
  Broker broker;

  @LocalServerPort
  int port;

  static AbstractHttp11Protocol<?> protocol(WebServerApplicationContext context) {
    return (AbstractHttp11Protocol<?>) ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector()
        .getProtocolHandler();
  }

  @Test
  void theConnectorKeepsSmallerSocketAndTrailerBuffers() {
    AbstractHttp11Protocol<?> protocol = protocol(context);
    assertThat(protocol.getProperty("socket.appReadBufSize")).isEqualTo("1024");
    assertThat(protocol.getProperty("socket.appWriteBufSize")).isEqualTo("1024");
    assertThat(protocol.getMaxTrailerSize()).isEqualTo(1024);
  }

  @Test
  void anEventManyTimesTheSocketBufferArrivesWhole() throws Exception {
    String data = "x".repeat(64 * 1024);
    Received r = new Received();
    try (EventSource source = r.open("http://127.0.0.1:" + port + "/events?topic=large", null)) {
      r.awaitOpen();
      broker.publish("large", Event.of(data)).toCompletableFuture().get(Received.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.take().data()).isEqualTo(data);
    }
  }
}
