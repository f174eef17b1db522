package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSource.ReadyState;
import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.ScriptedServer.Script;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Section H and the threading promises: close(), readyState, lifetime, callbacks. */
class CloseTest extends ScriptedServerTestBase {

  @Test
  @DisplayName("64: close() aborts the stream, sets CLOSED synchronously, and nothing follows")
  void closeAbortsTheStream() throws Exception {
    server.enqueue(Script.ok().send("data: a\n\n").stall());
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    recorder.assertMessage("a");
    es.close();
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
    server.awaitClientClose();
    server.takeRequest();
    server.assertNoRequest(Duration.ofMillis(200));
    es.close(); // idempotent
    es.restart(); // no effect once closed
    server.assertNoRequest(Duration.ofMillis(100));
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("64: close() cancels a pending reconnection")
  void closeCancelsPendingReconnect() throws Exception {
    server.enqueue(Script.ok().send("retry: 200\n\n"));
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    recorder.assertRetrying(Kind.END_OF_STREAM);
    es.close();
    server.takeRequest();
    server.assertNoRequest(Duration.ofMillis(400));
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("64: close() inside a message callback stops everything at once")
  void closeInsideACallback() throws Exception {
    server.enqueue(Script.ok().send("data: 1\n\ndata: 2\n\ndata: 3\n\n").stall());
    List<String> seen = new CopyOnWriteArrayList<>();
    EventSource es = open(recorder.attach(EventSource.builder(server.url("/")))
        .addEventListener("message", (source, e) -> {
          seen.add(e.data());
          source.close();
          seen.add(source.readyState().name());
        }));
    recorder.assertOpen();
    recorder.assertMessage("1"); // the recorder's handler ran first, the closing one second
    server.awaitClientClose();
    recorder.assertExhausted();
    assertThat(seen).containsExactly("1", "CLOSED");
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
  }

  @Test
  @DisplayName("65: CONNECTING -> OPEN -> CONNECTING -> OPEN -> CLOSED on 204, as WPT's close test")
  void readyStateTransitions() throws Exception {
    server.enqueue(Script.ok().send("data: 1\n\n"));
    server.enqueue(Script.ok().send("data: 2\n\n"));
    server.enqueue(Script.status(204));
    List<String> states = new CopyOnWriteArrayList<>();
    EventSource es = EventSource.builder(server.url("/")).initialRetryDelay(TINY_DELAY)
        .onOpen(s -> states.add("open:" + s.readyState()))
        .onMessage((s, e) -> states.add("message:" + s.readyState()))
        .onError((s, e) -> states.add("error:" + s.readyState()))
        .build();
    closeLater(es);
    assertThat(es.readyState()).isEqualTo(ReadyState.CONNECTING);
    await().until(() -> states.size() == 7);
    assertThat(states).containsExactly("open:OPEN", "message:OPEN", "error:CONNECTING",
        "open:OPEN", "message:OPEN", "error:CONNECTING", "error:CLOSED");
    assertThat(es.readyState()).isEqualTo(ReadyState.CLOSED);
  }

  @Test
  @DisplayName("66: an unreferenced open source keeps working; close() releases its threads")
  void liveSourceIsNotCollectedAndCloseReleasesThreads() throws Exception {
    CountDownLatch more = new CountDownLatch(1);
    server.enqueue(Script.ok().send("data: 1\n\n").await(more).send("data: 2\n\n").stall());
    WeakReference<EventSource> ref = new WeakReference<>(builder("/").build());
    recorder.assertOpen();
    recorder.assertMessage("1");
    for (int i = 0; i < 3; i++) System.gc();
    more.countDown();
    recorder.assertMessage("2");
    EventSource es = ref.get();
    assertThat(es).isNotNull();
    String name = es.toString().replaceAll(".*(herald-eventsource-\\d+).*", "$1");
    assertThat(threadsNamed(name)).isNotEmpty();
    try (EventSource closing = es) {
      assertThat(closing.readyState()).isEqualTo(ReadyState.OPEN);
    }
    await().until(() -> threadsNamed(name).isEmpty());
    server.awaitClientClose();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("callbacks run one at a time, in order, on the source's callback thread")
  void callbacksRunInOrderOnTheCallbackThread() throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 500; i++) data.append("data: ").append(i).append("\n\n");
    server.enqueue(Script.ok().send(data.toString()).stall());
    EventSource es = open(builder("/"));
    Recorder.Open open = recorder.assertOpen();
    assertThat(open.thread()).matches("herald-eventsource-\\d+-callbacks");
    for (int i = 0; i < 500; i++) {
      Recorder.Message m = (Recorder.Message) recorder.take();
      assertThat(m.event().data()).isEqualTo(Integer.toString(i));
      assertThat(m.thread()).isEqualTo(open.thread());
    }
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive)
        .filteredOn(t -> t.getName().startsWith(es.toString().replaceAll(".*(herald-eventsource-\\d+).*", "$1")))
        .allMatch(Thread::isDaemon);
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a slow callback never blocks the reader")
  void slowCallbackDoesNotBlockTheReader() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server.enqueue(Script.ok().send("id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n").stall());
    EventSource es = open(builder("/").addEventListener("message", (s, e) -> release.await()));
    recorder.assertOpen();
    recorder.assertMessage("1");
    await().until(() -> es.lastEventId().equals("3")); // read while the callback is stuck
    release.countDown();
    recorder.assertMessage("2");
    recorder.assertMessage("3");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a handler that throws is reported to onError and the stream goes on")
  void throwingHandlerIsReported() throws Exception {
    server.enqueue(Script.ok().send("data: 1\n\ndata: 2\n\n").stall());
    open(builder("/").addEventListener("message", (s, e) -> {
      if (e.data().equals("1")) throw new IllegalStateException("boom");
    }));
    recorder.assertOpen();
    recorder.assertMessage("1");
    EventSourceError e = recorder.assertError();
    assertThat(e.kind()).isEqualTo(Kind.HANDLER);
    assertThat(e.willRetry()).isFalse();
    assertThat(e.isFatal()).isFalse();
    assertThat(e.readyState()).isEqualTo(ReadyState.OPEN);
    assertThat(e.cause()).containsInstanceOf(IllegalStateException.class);
    recorder.assertMessage("2");
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("listeners can be added and removed after build()")
  void addAndRemoveListeners() throws Exception {
    CountDownLatch next = new CountDownLatch(1);
    CountDownLatch last = new CountDownLatch(1);
    server.enqueue(Script.ok().send("data: 1\n\n").await(next).send("event: t\ndata: 2\n\n")
        .await(last).send("event: t\ndata: 3\n\ndata: 4\n\n").stall());
    EventSource es = open(builder("/"));
    recorder.assertOpen();
    recorder.assertMessage("1");
    EventSource.MessageHandler handler = recorder.handler("t");
    es.addEventListener("t", handler);
    next.countDown();
    recorder.assertEvent("t", "2", "");
    es.removeEventListener("t", handler);
    last.countDown();
    recorder.assertMessage("4"); // 3 went to nobody
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a caller's executor runs the callbacks, still one at a time and in order")
  void callerExecutor() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "caller-pool");
      t.setDaemon(true);
      return t;
    });
    try {
      StringBuilder data = new StringBuilder();
      for (int i = 0; i < 200; i++) data.append("data: ").append(i).append("\n\n");
      server.enqueue(Script.ok().send(data.toString()).stall());
      open(builder("/").callbackExecutor(pool));
      assertThat(recorder.assertOpen().thread()).isEqualTo("caller-pool");
      for (int i = 0; i < 200; i++) recorder.assertMessage(Integer.toString(i));
      recorder.assertExhausted();
    } finally {
      pool.shutdownNow();
    }
  }

  static List<Thread> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && (t.getName().equals(prefix) || t.getName().startsWith(prefix + "-")))
        .toList();
  }
}
