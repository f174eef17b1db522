package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.protocol.Event;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Herald's own Java EventSource against Herald's server. */
class HeraldClientTest {
  private HeraldServer server;
  private EventSource source;

  @AfterEach
  void stop() {
    if (source != null) source.close();
    if (server != null) server.close();
  }

  private static MessageEvent take(BlockingQueue<MessageEvent> q) throws InterruptedException {
    MessageEvent e = q.poll(10, TimeUnit.SECONDS);
    if (e == null) throw new AssertionError("no event within 10 s");
    return e;
  }

  @Test
  void namedAndUnnamedEventsReachTheirListenersWithTheLogId() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).build().start();
    BlockingQueue<MessageEvent> prices = new LinkedBlockingQueue<>();
    BlockingQueue<MessageEvent> messages = new LinkedBlockingQueue<>();
    source = EventSource.builder(URI.create("http://127.0.0.1:" + server.port() + "/events?topic=t"))
        .addEventListener("price", (es, e) -> prices.add(e))
        .onMessage((es, e) -> messages.add(e))
        .build();
    await().until(() -> server.broker().subscriberCount("t") == 1);
    server.broker().publish("t", Event.named("price", "1.08"));
    server.broker().publish("t", Event.of("hello"));
    MessageEvent price = take(prices);
    assertThat(price.type()).isEqualTo("price");
    assertThat(price.data()).isEqualTo("1.08");
    assertThat(price.lastEventId()).isEqualTo("#1");
    MessageEvent message = take(messages);
    assertThat(message.data()).isEqualTo("hello");
    assertThat(message.lastEventId()).isEqualTo("#2");
  }

  @Test
  void resumesAfterTheServerRestartsWithNothingLostOrRepeated() throws Exception {
    InMemoryEventLog log = InMemoryEventLog.create();
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).eventLog(log)
        .retryHint(Duration.ofMillis(100)).build().start();
    int port = server.port();
    BlockingQueue<MessageEvent> received = new LinkedBlockingQueue<>();
    source = EventSource.builder(URI.create("http://127.0.0.1:" + port + "/events?topic=t"))
        .initialRetryDelay(Duration.ofMillis(100))
        .onMessage((es, e) -> received.add(e))
        .build();
    await().until(() -> server.broker().subscriberCount("t") == 1);
    for (int i = 1; i <= 5; i++) server.broker().publish("t", Event.of("e" + i));
    for (int i = 1; i <= 5; i++) assertThat(take(received).lastEventId()).isEqualTo("#" + i);

    server.close();
    // The same history behind a new server on the same port; events published while the client is away.
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(port).eventLog(log)
        .retryHint(Duration.ofMillis(100)).build();
    for (int i = 6; i <= 10; i++) server.broker().publish("t", Event.of("e" + i));
    server.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> server.broker().subscriberCount("t") == 1);
    for (int i = 11; i <= 15; i++) server.broker().publish("t", Event.of("e" + i));

    List<String> ids = new ArrayList<>();
    for (int i = 6; i <= 15; i++) ids.add(take(received).lastEventId());
    assertThat(ids).containsExactly("#6", "#7", "#8", "#9", "#10", "#11", "#12", "#13", "#14", "#15");
    assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void streamsOverHttp2() throws Exception {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).build().start();
    BlockingQueue<MessageEvent> received = new LinkedBlockingQueue<>();
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    List<EventSource> sources = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        sources.add(EventSource.builder(URI.create("http://127.0.0.1:" + server.port() + "/events?topic=t"))
            .httpClient(h2)
            .onMessage((es, e) -> received.add(e))
            .build());
      }
      await().until(() -> server.broker().subscriberCount("t") == 10);
      server.broker().publish("t", Event.of("to all"));
      for (int i = 0; i < 10; i++) assertThat(take(received).data()).isEqualTo("to all");
    } finally {
      for (EventSource s : sources) s.close();
    }
  }
}
