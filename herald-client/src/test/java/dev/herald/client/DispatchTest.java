package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.client.ScriptedServer.Script;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Section D of the checklist: what an event carries and who receives it. */
class DispatchTest extends ScriptedServerTestBase {

  @Test
  @DisplayName("32: an id-only block sets the last event id, fires nothing, and is sent on reconnect")
  void idOnlyBlockUpdatesLastEventIdWithoutAnEvent() throws Exception {
    server.enqueue(Script.ok().send("id: 7\n\n").send("event: x\n\n").send(":only a comment\n\n"));
    server.enqueue(Script.ok().stall());
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    recorder.assertComment("only a comment");
    recorder.assertRetrying(EventSourceError.Kind.END_OF_STREAM);
    assertThat(server.takeRequest().header("Last-Event-ID")).isNull();
    assertThat(server.takeRequest().header("Last-Event-ID")).isEqualTo("7");
    recorder.assertOpen();
    assertThat(es.lastEventId()).isEqualTo("7");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("34: an event carries type, data, last event id and the origin of the final URL")
  void eventCarriesTypeDataIdAndOriginOfFinalUrl() throws Exception {
    try (ScriptedServer target = new ScriptedServer()) {
      target.enqueue(Script.ok().send("id: 1\nevent: greeting\ndata: a\ndata: b\n\n").stall());
      server.enqueue(Script.status(302, "Location: " + target.url("/stream")));
      open(builder("/", "greeting"));
      recorder.assertOpen();
      MessageEvent e = recorder.assertEvent("greeting", "a\nb", "1");
      assertThat(e.origin()).isEqualTo(target.origin()).isNotEqualTo(server.origin());
      recorder.assertExhausted();
    }
  }

  @Test
  @DisplayName("35: lastEventId on every event is the persisted id, not the event's own")
  void lastEventIdPersistsOnEventsWithoutId() throws Exception {
    server.enqueue(Script.ok().send("id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\ndata: d\n\n").stall());
    open(builder("/"));
    recorder.assertOpen();
    recorder.assertEvent("message", "a", "1");
    recorder.assertEvent("message", "b", "1");
    recorder.assertEvent("message", "c", "");
    recorder.assertEvent("message", "d", "");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("37: events already parsed when close() is called are never delivered")
  void eventsParsedBeforeCloseAreNeverDelivered() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    server.enqueue(Script.ok().send("id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n").stall());
    EventSource es = open(builder("/").addEventListener("message", (s, e) -> {
      if (e.data().equals("1")) {
        inHandler.countDown();
        release.await();
      }
    }));
    recorder.assertOpen();
    recorder.assertMessage("1");
    inHandler.await();
    await().until(() -> es.lastEventId().equals("3")); // 2 and 3 are parsed and queued
    es.close();
    release.countDown();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("38: named events go only to their listeners; onmessage sees only type message")
  void namedEventsGoOnlyToTheirListeners() throws Exception {
    server.enqueue(Script.ok()
        .send("event: test\ndata: t\n\n")
        .send("data: plain\n\n")
        .send("event:\ndata: empty type\n\n")
        .send("event: message\ndata: literal\n\n")
        .send("event: unheard\ndata: nobody\n\n")
        .send("event: other\ndata: o\n\n")
        .stall());
    open(builder("/", "test", "other"));
    recorder.assertOpen();
    recorder.assertEvent("test", "t", "");
    recorder.assertEvent("message", "plain", "");
    recorder.assertEvent("message", "empty type", "");
    recorder.assertEvent("message", "literal", "");
    recorder.assertEvent("other", "o", "");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("39: server events named open and error never reach the lifecycle callbacks")
  void serverEventNamesAreSeparateFromLifecycleCallbacks() throws Exception {
    server.enqueue(Script.ok().send("event: open\ndata: o\n\nevent: error\ndata: e\n\n").stall());
    open(builder("/", "open", "error"));
    recorder.assertOpen();
    recorder.assertEvent("open", "o", "");
    recorder.assertEvent("error", "e", "");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("40: an event cut by the end of the body is dropped with its id")
  void unterminatedEventIsDroppedWithItsId() throws Exception {
    server.enqueue(Script.ok().send("id: 1\ndata: a\n\nid: 2\ndata: b\n"));
    server.enqueue(Script.ok().send("data: c\n\n").stall());
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    recorder.assertEvent("message", "a", "1");
    recorder.assertRetrying(EventSourceError.Kind.END_OF_STREAM);
    server.takeRequest();
    assertThat(server.takeRequest().header("Last-Event-ID")).isEqualTo("1");
    recorder.assertOpen();
    recorder.assertEvent("message", "c", "1");
    assertThat(es.lastEventId()).isEqualTo("1");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("41: events are immutable values; open and error callbacks carry no data")
  void eventsAreValuesAndLifecycleCallbacksCarryNoData() throws Exception {
    MessageEvent a = new MessageEvent("message", "d", "1", "http://h");
    assertThat(a).isEqualTo(new MessageEvent("message", "d", "1", "http://h"));
    assertThatThrownBy(() -> new MessageEvent("message", null, "", "http://h"))
        .isInstanceOf(NullPointerException.class);
    server.enqueue(Script.ok().send("data: x\n\n"));
    server.enqueue(Script.status(204));
    open(builder("/"));
    Recorder.Open open = recorder.assertOpen(); // only the source and its state: no data
    assertThat(open.thread()).startsWith("herald-eventsource-").endsWith("-callbacks");
    recorder.assertMessage("x");
    recorder.assertRetrying(EventSourceError.Kind.END_OF_STREAM);
    recorder.assertClosed(EventSourceError.Kind.HTTP_STATUS);
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a partial frame waits for the rest; many events in one read arrive in order")
  void partialFramesAndBatchedEvents() throws Exception {
    CountDownLatch rest = new CountDownLatch(1);
    server.enqueue(Script.ok().send("data: hel").await(rest).send("lo\n\ndata: 1\n\ndata: 2\n\n")
        .stall());
    open(builder("/"));
    recorder.assertOpen();
    recorder.assertExhausted();
    rest.countDown();
    recorder.assertMessage("hello");
    recorder.assertMessage("1");
    recorder.assertMessage("2");
    recorder.assertExhausted();
  }

}
