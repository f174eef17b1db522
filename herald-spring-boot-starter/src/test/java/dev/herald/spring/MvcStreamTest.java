package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The starter on Spring MVC: Tomcat, through the servlet adapter. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.main.web-application-type=servlet")
class MvcStreamTest extends StreamSpec {
  @Autowired
  AtomicInteger errorDispatchCount;

  @Autowired
  org.springframework.boot.web.server.context.WebServerApplicationContext context;

  @Test
  void withoutHeraldTomcatSettingsTomcatKeepsItsOwnConnectionBuffers() {
    var protocol = TomcatConnectionBuffersTest.protocol(context);
    assertThat(protocol.getProperty("socket.appReadBufSize")).isEqualTo("8192");
    assertThat(protocol.getProperty("socket.appWriteBufSize")).isEqualTo("8192");
    assertThat(protocol.getMaxTrailerSize()).isEqualTo(8192);
  }

  @Test
  void aClientThatHangsUpEndsItsStreamWithoutAnErrorDispatch() throws Exception {
    // Counted on this test's own topic: the broker-wide count also moves when another test's
    // stream is noticed gone, which made the count this test waited for never come.
    int errorsBefore = errorDispatchCount.get();
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("GET /events?topic=hangup HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> broker.subscriberCount("hangup") == 1);
    }
    // The container notices the hang-up when it next writes: publish until the stream is gone.
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> {
      publish("hangup", Event.of("anyone?"));
      return broker.subscriberCount("hangup") == 0;
    });
    assertThat(errorDispatchCount.get()).isEqualTo(errorsBefore);
  }
}
