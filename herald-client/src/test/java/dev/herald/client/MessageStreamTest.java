package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.ScriptedServer.Script;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pull style: a blocking iterator with back-pressure. */
class MessageStreamTest extends ScriptedServerTestBase {

  @Test
  @DisplayName("events of every type are pulled in order, across reconnections")
  void pullsEventsInOrder() throws Exception {
    server.enqueue(Script.ok().send("id: 1\ndata: a\n\nevent: x\ndata: b\n\n"));
    server.enqueue(Script.ok().send("data: c\n\n").stall());
    MessageStream stream = closeLater(builder("/").buildStream(16));
    assertThat(stream.next()).isEqualTo(new MessageEvent("message", "a", "1", server.origin()));
    assertThat(stream.next().type()).isEqualTo("x");
    assertThat(stream.next().data()).isEqualTo("c");
    assertThat(stream.poll(Duration.ofMillis(100))).isNull();
    assertThat(stream.source().lastEventId()).isEqualTo("1");
    recorder.assertOpen(); // lifecycle callbacks still go to the handlers
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a full buffer stops the reading, so the server's writes block until the consumer catches up")
  void backPressure() throws Exception {
    int events = 400_000; // about 30 MB: more than every socket and client buffer together
    StringBuilder chunk = new StringBuilder();
    for (int i = 0; i < 1_000; i++) chunk.append("data: ").append("x".repeat(64)).append("\n\n");
    Script script = Script.ok();
    for (int i = 0; i < events / 1_000; i++) script.send(chunk.toString());
    CountDownLatch allWritten = new CountDownLatch(1);
    server.enqueue(script.signal(allWritten).stall());
    MessageStream stream = closeLater(builder("/").buildStream(10));
    assertThat(stream.next().data()).hasSize(64);
    assertThat(allWritten.await(500, TimeUnit.MILLISECONDS)).as("server writes blocked").isFalse();
    for (int i = 1; i < events; i++) stream.next();
    assertThat(allWritten.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(stream.poll(Duration.ofMillis(50))).isNull();
  }

  @Test
  @DisplayName("after a fatal error the buffered events are still taken, then the iterator ends")
  void endsAfterFailureOnceDrained() throws Exception {
    server.enqueue(Script.ok().send("data: a\n\ndata: b\n\n"));
    server.enqueue(Script.status(204));
    MessageStream stream = closeLater(builder("/").buildStream(8));
    recorder.assertOpen();
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertClosed(Kind.HTTP_STATUS);
    assertThat(stream.hasNext()).isTrue();
    assertThat(stream.next().data()).isEqualTo("a");
    assertThat(stream.next().data()).isEqualTo("b");
    assertThat(stream.hasNext()).isFalse();
    assertThatThrownBy(stream::next).isInstanceOf(NoSuchElementException.class);
    assertThat(stream.poll(Duration.ofSeconds(1))).isNull();
  }

  @Test
  @DisplayName("close() wakes a blocked consumer and drops buffered events")
  void closeWakesTheConsumer() throws Exception {
    server.enqueue(Script.ok().stall());
    MessageStream stream = closeLater(builder("/").buildStream(8));
    recorder.assertOpen();
    ExecutorService consumer = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch started = new CountDownLatch(1);
      Future<Boolean> hasNext = consumer.submit(() -> {
        started.countDown();
        return stream.hasNext();
      });
      started.await();
      stream.close();
      assertThat(hasNext.get(30, TimeUnit.SECONDS)).isFalse();
      assertThat(stream.source().readyState()).isEqualTo(EventSource.ReadyState.CLOSED);
      server.awaitClientClose();
    } finally {
      consumer.shutdownNow();
    }
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("close() while the reader is blocked on a full buffer ends it promptly")
  void closeUnblocksAFullBuffer() throws Exception {
    server.enqueue(Script.ok().send("id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n").stall());
    MessageStream stream = builder("/").buildStream(1);
    await().until(() -> stream.source().lastEventId().equals("3")); // all parsed, 2 waits for room
    String name = stream.source().toString().replaceAll(".*(herald-eventsource-\\d+).*", "$1");
    stream.close();
    await().until(() -> CloseTest.threadsNamed(name).isEmpty());
    assertThat(stream.hasNext()).isFalse();
    server.awaitClientClose();
  }
}
