package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.MessageEvent;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import dev.herald.sqlite.SqliteEventLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code herald.store=sqlite}: the history outlives the application. Events published before a
 * restart are replayed after it, on a new port, to a client that resumes with its Last-Event-ID.
 */
class SqliteStoreTest {
  @TempDir
  Path data;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"servlet", "reactive"})
  void aClientResumesAfterARestartWithTheEventsPublishedBeforeIt(String webApplicationType) throws Exception {
    List<String> ids = new ArrayList<>();
    try (ConfigurableApplicationContext app = start(webApplicationType)) {
      assertThat(app.getBean(EventLog.class)).isInstanceOf(SqliteEventLog.class);
      Broker broker = app.getBean(Broker.class);
      for (String data : List.of("one", "two", "three")) {
        ids.add(broker.publish("news", Event.of(data)).toCompletableFuture().get(20, TimeUnit.SECONDS));
      }
    }
    assertThat(data.resolve(SqliteEventLog.FILE_NAME)).exists();

    try (ConfigurableApplicationContext app = start(webApplicationType)) {
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      Received r = new Received();
      try (var source = r.open("http://127.0.0.1:" + port + "/events?topic=news", ids.get(0))) {
        List<MessageEvent> replayed = r.take(2);
        assertThat(replayed).extracting(MessageEvent::data).containsExactly("two", "three");
        assertThat(replayed).extracting(MessageEvent::lastEventId).containsExactly(ids.get(1), ids.get(2));

        String four = app.getBean(Broker.class).publish("news", Event.of("four")).toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
        MessageEvent live = r.take();
        assertThat(live.data()).isEqualTo("four");
        assertThat(live.lastEventId()).isEqualTo(four).isNotIn(ids);
        assertThat(r.events).as("nothing replayed twice").isEmpty();
      }
    }
  }

  private ConfigurableApplicationContext start(String webApplicationType) {
    // Arguments, not default properties: they must win over the tests' application.properties.
    return new SpringApplicationBuilder(TestApp.class)
        .run("--server.port=0", "--spring.main.web-application-type=" + webApplicationType,
            "--herald.store=sqlite", "--herald.sqlite.directory=" + data);
  }
}
