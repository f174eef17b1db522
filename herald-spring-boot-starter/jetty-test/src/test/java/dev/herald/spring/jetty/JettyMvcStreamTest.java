package dev.herald.spring.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.testing.EventStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The starter on Spring MVC served by Jetty 12: an application that depends on
 * spring-boot-starter-webmvc without spring-boot-starter-tomcat, and on spring-boot-starter-jetty.
 * Its streams go through the same servlet adapter as on Tomcat.
 */
@SpringBootTest(classes = JettyMvcStreamTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JettyMvcStreamTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** An application with nothing of its own: the starter's {@code /events?topic=T}. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
  }

  @LocalServerPort
  int port;

  @Autowired
  Broker broker;

  @Autowired
  WebServerApplicationContext context;

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port + pathAndQuery;
  }

  String publish(String topic, Event event) throws Exception {
    return broker.publish(topic, event).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void theApplicationIsServedByJetty() {
    assertThat(context.getWebServer()).isInstanceOf(JettyWebServer.class);
  }

  @Test
  void aStreamOpensAsAnUncachedEventStreamAndReceivesWhatIsPublished() throws Exception {
    try (EventStreamReader stream = EventStreamReader.open(url("/events?topic=news"), null)) {
      awaitOpen(stream);
      assertThat(stream.response.statusCode()).isEqualTo(200);
      assertThat(stream.response.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v.toLowerCase()).startsWith("text/event-stream"));
      assertThat(stream.response.headers().firstValue("cache-control")).hasValueSatisfying(
          v -> assertThat(v).contains("no-store"));

      String first = publish("news", Event.named("headline", "{\"title\":\"Hello\"}"));
      String second = publish("news", Event.of("plain"));
      assertThat(stream.take()).isEqualTo(new EventStreamReader.Received("headline", "{\"title\":\"Hello\"}", first));
      assertThat(stream.take()).isEqualTo(new EventStreamReader.Received("message", "plain", second));
    }
  }

  @Test
  void aClientComingBackAfterADroppedConnectionGetsWhatItMissedOnce() throws Exception {
    String lastSeen;
    try (EventStreamReader first = EventStreamReader.open(url("/events?topic=resume"), null)) {
      awaitOpen(first);
      publish("resume", Event.of("one"));
      lastSeen = first.take().id();
    } // the connection drops
    publish("resume", Event.of("two"));
    publish("resume", Event.of("three"));

    try (EventStreamReader back = EventStreamReader.open(url("/events?topic=resume"), lastSeen)) {
      assertThat(back.take().data()).isEqualTo("two");
      assertThat(back.take().data()).isEqualTo("three");
      publish("resume", Event.of("four"));
      assertThat(back.take().data()).isEqualTo("four");
      assertThat(back.events.poll(200, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
      assertThat(back.data()).containsExactly("two", "three", "four");
    }
  }

  @Test
  void aClientThatHangsUpEndsItsStream() throws Exception {
    // Counted on this test's own topic: the broker-wide count moves with other tests' streams.
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write("GET /events?topic=hangup HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      await().atMost(TIMEOUT).until(() -> broker.subscriberCount("hangup") == 1);
    }
    // Whether Jetty notices at once or at the next write, the stream is gone once it writes.
    await().atMost(TIMEOUT).until(() -> {
      publish("hangup", Event.of("anyone?"));
      return broker.subscriberCount("hangup") == 0;
    });
  }

  /** Waits until the stream's response head arrived: the stream is subscribed. */
  static void awaitOpen(EventStreamReader stream) {
    await().atMost(TIMEOUT).until(() -> stream.response != null || stream.failure != null);
    assertThat(stream.failure).isNull();
  }
}
