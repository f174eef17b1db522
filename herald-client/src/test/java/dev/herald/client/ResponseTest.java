package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSource.ReadyState;
import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.ScriptedServer.Script;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Section F: handling the response. */
class ResponseTest extends ScriptedServerTestBase {

  @Test
  @DisplayName("50: a refused connection is a network error: retry, not fail")
  void refusedConnectionRetries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    EventSource es = closeLater(recorder.attach(EventSource.builder(
        URI.create("http://127.0.0.1:" + port + "/")).initialRetryDelay(TINY_DELAY)).build());
    EventSourceError first = recorder.assertRetrying(Kind.NETWORK);
    assertThat(first.cause()).containsInstanceOf(java.net.ConnectException.class);
    recorder.assertRetrying(Kind.NETWORK);
    es.close();
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
  }

  @Test
  @DisplayName("50: a connection reset before the response head retries")
  void resetBeforeHeadersRetries() throws Exception {
    // The JDK silently retries a GET once when a fresh connection dies before the head.
    server.enqueue(Script.raw("").cut());
    server.enqueue(Script.raw("").cut());
    server.enqueue(Script.ok().send("data: second\n\n").stall());
    open(builder("/"));
    recorder.assertRetrying(Kind.NETWORK);
    recorder.assertOpen();
    recorder.assertMessage("second");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("51: closing while the request is in flight aborts it; no retry, no callback")
  void closeDuringConnectAborts() throws Exception {
    server.enqueue(Script.raw("").stall());
    EventSource es = open(builder("/"));
    server.takeRequest();
    es.close();
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
    server.awaitClientClose();
    server.assertNoRequest(Duration.ofMillis(200));
    recorder.assertExhausted();
  }

  @ParameterizedTest
  @ValueSource(ints = {201, 202, 203, 204, 205, 206, 210, 299, 304, 400, 401, 404, 410, 429, 500,
      502, 503})
  @DisplayName("52, 56: any status but 200 fails: one error, CLOSED, never a second request")
  void anyOtherStatusFails(int status) throws Exception {
    server.enqueue(Script.status(status, "Content-Type: text/event-stream", "Retry-After: 0"));
    EventSource es = open(builder("/"));
    EventSourceError e = recorder.assertClosed(Kind.HTTP_STATUS);
    assertThat(e.statusCode()).hasValue(status);
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
    server.takeRequest();
    server.assertNoRequest(Duration.ofMillis(300));
    recorder.assertExhausted();
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/event-stream", "text/event-stream;charset=utf-8",
      "TEXT/Event-Stream", "text/event-stream;", "text/event-stream ; charset=windows-1252",
      " text/event-stream"})
  @DisplayName("53: the MIME essence decides; parameters are ignored")
  void acceptedContentTypes(String type) throws Exception {
    server.enqueue(Script.okWithHeaders("Content-Type: " + type).send("data: \u00e9\n\n").stall());
    open(builder("/"));
    recorder.assertOpen();
    recorder.assertMessage("\u00e9"); // UTF-8 whatever the charset parameter says
    recorder.assertExhausted();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Content-Type: x bogus", "Content-Type: text/x-bogus",
      "Content-Type: text/plain", "Content-Type: text/event-stream-x", "Content-Type: /event-stream",
      "Content-Type: text/"})
  @DisplayName("53: a missing, unparsable or different Content-Type fails")
  void rejectedContentTypes(String headerLine) throws Exception {
    server.enqueue(headerLine.isEmpty() ? Script.okWithHeaders().send("data: x\n\n")
        : Script.okWithHeaders(headerLine).send("data: x\n\n"));
    EventSource es = open(builder("/"));
    EventSourceError e = recorder.assertClosed(Kind.CONTENT_TYPE);
    assertThat(e.statusCode()).hasValue(200);
    assertThat(e.contentType()).hasValue(headerLine.isEmpty() ? "" : headerLine.substring(14));
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
    server.takeRequest();
    server.assertNoRequest(Duration.ofMillis(200));
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("54: open fires with OPEN before any message, and again after each reconnect")
  void openBeforeMessagesAndAfterEveryReconnect() throws Exception {
    server.enqueue(Script.ok().send("data: 1\n\n"));
    server.enqueue(Script.ok().send("data: 2\n\n").stall());
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    recorder.assertMessage("1");
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertMessage("2");
    assertThat(es.readyState()).isEqualTo(ReadyState.OPEN);
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("55: a clean end, an empty body, EOF mid-event and a cut socket all reconnect")
  void everyEndOfBodyReconnects() throws Exception {
    server.enqueue(Script.ok().send("data: clean\n\n"));
    server.enqueue(Script.ok());
    server.enqueue(Script.ok().send("data: half"));
    CountDownLatch cut = new CountDownLatch(1);
    server.enqueue(Script.ok().send("data: cut\n\ndata: lost").await(cut).cut());
    server.enqueue(Script.ok().send("data: last\n\n").stall());
    open(builder("/"));
    recorder.assertOpen();
    recorder.assertMessage("clean");
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertMessage("cut");
    cut.countDown(); // an RST may discard bytes the client has not read yet: cut after they arrived
    EventSourceError error = recorder.assertRetrying(Kind.NETWORK);
    assertThat(error.cause()).containsInstanceOf(IOException.class);
    recorder.assertOpen();
    recorder.assertMessage("last");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("57: errors say explicitly whether the source retries, and why")
  void errorsTellRetryingFromClosed() throws Exception {
    server.enqueue(Script.ok().send("retry: 25\n\n"));
    server.enqueue(Script.status(503));
    open(builder("/"));
    recorder.assertOpen();
    EventSourceError retrying = recorder.assertRetrying(Kind.END_OF_STREAM);
    assertThat(retrying.retryDelay()).hasValue(Duration.ofMillis(25));
    assertThat(retrying.statusCode()).isEmpty();
    EventSourceError closed = recorder.assertClosed(Kind.HTTP_STATUS);
    assertThat(closed.statusCode()).hasValue(503);
    assertThat(closed.retryDelay()).isEmpty();
    assertThat(closed.toString()).contains("HTTP_STATUS", "CLOSED", "503");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a body cut mid-way keeps the events already complete")
  void stallThenCutKeepsCompleteEvents() throws Exception {
    CountDownLatch cut = new CountDownLatch(1);
    server.enqueue(Script.ok().send("data: 1\n\ndata: 2").await(cut).cut());
    server.enqueue(Script.ok().stall());
    open(builder("/"));
    recorder.assertOpen();
    recorder.assertMessage("1");
    cut.countDown();
    recorder.assertRetrying(Kind.NETWORK);
    recorder.assertOpen();
    recorder.assertExhausted();
  }
}
