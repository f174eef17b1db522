package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSource.ReadyState;
import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.ScriptedServer.Script;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Section G and items 71-74: reconnection, Last-Event-ID, timeouts, restart, comments. */
class ReconnectTest extends ScriptedServerTestBase {
  /** A delay no test waits for: a reconnect that happens proves the delay was not applied. */
  static final Duration FOREVER = Duration.ofHours(1);
  /**
   * Long enough that a loaded machine (two test runs at once) answers the request head within it:
   * at 300-400 ms a busy scheduler made the head itself time out.
   */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  @Test
  @DisplayName("58: the source waits the reconnection time before reconnecting")
  void waitsTheReconnectionTime() throws Exception {
    server.enqueue(Script.ok().send("retry: 300\n\n"));
    server.enqueue(Script.ok().stall());
    open(builder("/"));
    server.takeRequest();
    recorder.assertOpen();
    EventSourceError e = recorder.assertRetrying(Kind.END_OF_STREAM);
    long errorAt = System.nanoTime();
    assertThat(e.retryDelay()).hasValue(Duration.ofMillis(300));
    server.takeRequest();
    assertThat(Duration.ofNanos(System.nanoTime() - errorAt)).isGreaterThan(Duration.ofMillis(250));
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("58: close() inside onerror stops the reconnection")
  void closeInOnErrorStopsTheReconnect() throws Exception {
    server.enqueue(Script.ok().send("retry: 0\n\n"));
    server.enqueue(Script.ok().stall());
    EventSource es = open(EventSource.builder(server.url("/"))
        .onError((source, error) -> source.close()));
    server.takeRequest();
    // onError runs when the first stream ends; on a loaded machine that can take a while.
    await().atMost(Duration.ofSeconds(30)).until(() -> es.readyState() == ReadyState.CLOSED);
    server.assertNoRequest(Duration.ofMillis(300));
  }

  @Test
  @DisplayName("61: the last event id survives reconnection and is resent each time")
  void lastEventIdSurvivesReconnection() throws Exception {
    server.enqueue(Script.ok().send("id: 1\ndata: a\n\n"));
    server.enqueue(Script.ok().send("data: b\n\n"));
    server.enqueue(Script.ok().stall());
    open(builder("/"));
    server.takeRequest();
    assertThat(server.takeRequest().header("Last-Event-ID")).isEqualTo("1");
    assertThat(server.takeRequest().header("Last-Event-ID")).isEqualTo("1");
    recorder.assertOpen();
    recorder.assertEvent("message", "a", "1");
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertEvent("message", "b", "1");
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("62: a server retry applies to every later reconnection, not just the next")
  void serverRetryPersists() throws Exception {
    server.enqueue(Script.ok().send("retry: 0\n")); // set by the field, with no event dispatched
    server.enqueue(Script.ok());
    server.enqueue(Script.ok().stall());
    open(recorder.attach(EventSource.builder(server.url("/")).initialRetryDelay(FOREVER)
        .maxRetryDelay(Duration.ZERO)));
    for (int i = 0; i < 3; i++) server.takeRequest();
    recorder.assertOpen();
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ZERO);
    recorder.assertOpen();
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ZERO);
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("30: a huge retry value is clamped, never an overflow")
  void hugeRetryIsClamped() throws Exception {
    server.enqueue(Script.ok().send("retry: 99999999999999999999999\n\n"));
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    EventSourceError e = recorder.assertRetrying(Kind.END_OF_STREAM);
    assertThat(e.retryDelay()).hasValue(RetryPolicy.MAX_DELAY_LIMIT);
    es.close();
    server.takeRequest();
    server.assertNoRequest(Duration.ofMillis(100));
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("71: no byte for the read timeout means a dead connection: reconnect")
  void readTimeoutReconnects() throws Exception {
    server.enqueue(Script.ok().send("id: 3\ndata: a\n\n").stall());
    server.enqueue(Script.ok().stall());
    server.enqueue(Script.ok().stall());
    open(builder("/").readTimeout(READ_TIMEOUT));
    recorder.assertOpen();
    recorder.assertEvent("message", "a", "3");
    recorder.assertRetrying(Kind.READ_TIMEOUT);
    server.awaitClientClose();
    server.takeRequest();
    assertThat(server.takeRequest().header("Last-Event-ID")).isEqualTo("3");
    recorder.assertOpen();
    // The timeout stays armed on the new connection.
    recorder.assertRetrying(Kind.READ_TIMEOUT);
    recorder.assertOpen();
  }

  @Test
  @DisplayName("71: the read timeout also covers a server that never answers")
  void readTimeoutCoversTheResponseHead() throws Exception {
    server.enqueue(Script.raw("").stall());
    server.enqueue(Script.ok().stall());
    open(builder("/").readTimeout(READ_TIMEOUT));
    recorder.assertRetrying(Kind.READ_TIMEOUT);
    recorder.assertOpen();
  }

  @Test
  @DisplayName("71: any byte resets the timer: heartbeats and partial lines keep it alive")
  void heartbeatsKeepTheConnectionAlive() throws Exception {
    Script script = Script.ok();
    // Six gaps of a quarter of the timeout: together longer than the timeout, each well within it.
    Duration gap = READ_TIMEOUT.dividedBy(4);
    for (int i = 0; i < 4; i++) script.send(":\n").pause(gap);
    server.enqueue(script.send("da").pause(gap).send("ta: do").pause(gap).send("ne\n\n").stall());
    open(builder("/").readTimeout(READ_TIMEOUT));
    recorder.assertOpen();
    for (int i = 0; i < 4; i++) recorder.assertComment("");
    recorder.assertEvent("message", "done", "");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("72: restart() drops the connection and reconnects at once, with Last-Event-ID")
  void restartReconnectsAtOnce() throws Exception {
    server.enqueue(Script.ok().send("id: 9\ndata: a\n\n").stall());
    server.enqueue(Script.ok().stall());
    EventSource es = open(recorder.attach(EventSource.builder(server.url("/"))
        .initialRetryDelay(FOREVER)));
    recorder.assertOpen();
    recorder.assertEvent("message", "a", "9");
    es.restart();
    server.awaitClientClose();
    EventSourceError e = recorder.assertRetrying(Kind.RESTARTED);
    assertThat(e.retryDelay()).hasValue(Duration.ZERO);
    server.takeRequest();
    assertThat(server.takeRequest().header("Last-Event-ID")).isEqualTo("9");
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("72: restart() during the wait skips it")
  void restartSkipsTheWait() throws Exception {
    server.enqueue(Script.status(503));
    server.enqueue(Script.ok().stall());
    EventSource es = open(recorder.attach(EventSource.builder(server.url("/"))
        .initialRetryDelay(FOREVER).retryOnHttpErrors(true)));
    recorder.assertRetrying(Kind.HTTP_STATUS);
    es.restart();
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("73: a comment is delivered as soon as its line is read")
  void commentsArriveAtOnce() throws Exception {
    CountDownLatch rest = new CountDownLatch(1);
    server.enqueue(Script.ok().send("data: pending\n:keep-alive\n").await(rest).send("\n").stall());
    open(builder("/"));
    recorder.assertOpen();
    recorder.assertComment("keep-alive");
    recorder.assertExhausted();
    rest.countDown();
    recorder.assertMessage("pending");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("74: with an initial delay of 0 the source reconnects at once, then backs off")
  void zeroDelayReconnectsAtOnceThenBacksOff() throws Exception {
    server.enqueue(Script.ok());
    server.enqueue(Script.ok());
    server.enqueue(Script.ok().stall());
    open(recorder.attach(EventSource.builder(server.url("/")).retryPolicy(RetryPolicy.DEFAULT
        .withInitialDelay(Duration.ZERO))));
    recorder.assertOpen();
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ZERO);
    recorder.assertOpen();
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ZERO);
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("74: the backoff grows on consecutive failures and resets after a healthy connection")
  void backoffGrowsAndResets() throws Exception {
    server.enqueue(Script.ok());
    server.enqueue(Script.ok());
    server.enqueue(Script.ok().pause(Duration.ofMillis(150)));
    server.enqueue(Script.ok().stall());
    RetryPolicy policy = RetryPolicy.DEFAULT.withInitialDelay(Duration.ofMillis(10))
        .withMaxDelay(Duration.ofSeconds(1)).withJitter(0).withResetAfter(Duration.ofMillis(100));
    open(recorder.attach(EventSource.builder(server.url("/")).retryPolicy(policy)));
    recorder.assertOpen();
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ofMillis(10));
    recorder.assertOpen();
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ofMillis(20));
    recorder.assertOpen(); // this one stays up for 150 ms: healthy
    assertThat(recorder.assertRetrying(Kind.END_OF_STREAM).retryDelay()).hasValue(Duration.ofMillis(10));
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("opt-in: 503 and 429 are retried after Retry-After; 404 still fails")
  void httpErrorsRetriedWhenOptedIn() throws Exception {
    server.enqueue(Script.status(503, "Retry-After: 1"));
    server.enqueue(Script.status(429));
    server.enqueue(Script.ok().send("data: up\n\n"));
    server.enqueue(Script.status(404));
    open(builder("/").retryOnHttpErrors(true));
    EventSourceError e = recorder.assertRetrying(Kind.HTTP_STATUS);
    assertThat(e.statusCode()).hasValue(503);
    assertThat(e.retryDelay()).hasValue(Duration.ofSeconds(1));
    long at = System.nanoTime();
    assertThat(recorder.assertRetrying(Kind.HTTP_STATUS).statusCode()).hasValue(429);
    assertThat(Duration.ofNanos(System.nanoTime() - at)).isGreaterThan(Duration.ofMillis(900));
    recorder.assertOpen();
    recorder.assertMessage("up");
    recorder.assertRetrying(Kind.END_OF_STREAM);
    assertThat(recorder.assertClosed(Kind.HTTP_STATUS).statusCode()).hasValue(404);
    recorder.assertExhausted();
  }
}
