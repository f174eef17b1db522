package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.protocol.Event;
import dev.herald.redis.RedisEventLog;
import dev.herald.redis.RedisProcess;
import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code herald.redis.uri}: two instances of one application on one real redis-server (one on MVC,
 * one on WebFlux), as behind a load balancer. A publish on one reaches a subscriber of the other,
 * and a client that moves from one to the other resumes with its Last-Event-ID.
 */
class RedisStoreTest {
  @TempDir
  Path dir;

  private RedisProcess redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisProcess.startFast(dir);
  }

  @AfterEach
  void stopRedis() throws Exception {
    redis.close();
  }

  @Test
  void aPublishOnOneInstanceReachesTheOtherAndAClientResumesOnEither() throws Exception {
    try (ConfigurableApplicationContext first = start("servlet");
        ConfigurableApplicationContext second = start("reactive")) {
      assertThat(first.getBean(EventLog.class)).isInstanceOf(RedisEventLog.class);
      Broker publisher = first.getBean(Broker.class);

      Received onSecond = new Received();
      String lastSeen;
      try (EventSource source = onSecond.open(url(second, "/events?topic=news"), null, "headline")) {
        onSecond.awaitOpen();
        String id = publish(publisher, Event.named("headline", "from the first"));
        MessageEvent e = onSecond.take();
        assertThat(e.data()).isEqualTo("from the first");
        assertThat(e.lastEventId()).isEqualTo(id);
        lastSeen = id;
      }

      // The client's node is gone from its view; meanwhile the first instance publishes.
      String two = publish(publisher, Event.named("headline", "two"));
      String three = publish(publisher, Event.named("headline", "three"));

      Received onFirst = new Received();
      try (EventSource source = onFirst.open(url(first, "/events?topic=news"), lastSeen, "headline")) {
        List<MessageEvent> missed = onFirst.take(2);
        assertThat(missed).extracting(MessageEvent::data).containsExactly("two", "three");
        assertThat(missed).extracting(MessageEvent::lastEventId).containsExactly(two, three);

        String four = publish(second.getBean(Broker.class), Event.named("headline", "four, from the second"));
        MessageEvent live = onFirst.take();
        assertThat(live.data()).isEqualTo("four, from the second");
        assertThat(live.lastEventId()).isEqualTo(four);
        assertThat(onFirst.events).as("nothing twice").isEmpty();
      }
    }
  }

  private ConfigurableApplicationContext start(String webApplicationType) {
    // Arguments, not default properties: they must win over the tests' application.properties.
    return new SpringApplicationBuilder(TestApp.class)
        .run("--server.port=0", "--spring.main.web-application-type=" + webApplicationType,
            "--herald.redis.uri=" + redis.uri());
  }

  private static String url(ConfigurableApplicationContext app, String pathAndQuery) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + pathAndQuery;
  }

  private static String publish(Broker broker, Event event) throws Exception {
    return broker.publish("news", event).toCompletableFuture().get(Received.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
