package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.client.ScriptedServer.Script;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reconnection at volume leaves nothing behind. */
class SoakTest extends ScriptedServerTestBase {
  static final int RECONNECTS = 1_000;

  @Test
  @DisplayName("1,000 reconnects leave no thread and no connection behind")
  void thousandReconnectsLeaveNothingBehind() throws Exception {
    // One event per connection, then a clean end: every event means one more reconnection.
    server.setDefault(Script.ok().send("data: x\n\n"));
    AtomicInteger events = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    int threadsBefore = Thread.activeCount();
    EventSource es = EventSource.builder(server.url("/"))
        .retryPolicy(RetryPolicy.DEFAULT.withInitialDelay(Duration.ZERO))
        .onMessage((s, e) -> {
          if (events.incrementAndGet() == RECONNECTS) s.close();
        })
        .onError((s, e) -> errors.incrementAndGet())
        .build();
    String name = es.toString().replaceAll(".*(herald-eventsource-\\d+).*", "$1");
    await().atMost(Duration.ofSeconds(60)).until(() -> es.readyState() == EventSource.ReadyState.CLOSED);
    assertThat(events.get()).isEqualTo(RECONNECTS);
    assertThat(errors.get()).isBetween(RECONNECTS - 1, RECONNECTS);
    assertThat(server.requestCount()).isBetween(RECONNECTS, RECONNECTS + 1);
    await().until(() -> CloseTest.threadsNamed(name).isEmpty());
    await().until(() -> server.openConnections() == 0);
    // HttpClient workers are pooled and shared: a handful at most, never one per reconnect.
    assertThat(Thread.activeCount()).isLessThan(threadsBefore + 20);
  }
}
