package dev.herald.server;

import dev.herald.testing.EventStreamReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SPI through which a transport other than Herald's server (a Servlet container, say) serves
 * topic streams: the broker keeps the stream's semantics, the transport moves bytes. A recording
 * transport stands for the container; every call is checked to come from the broker's loop.
 */
class StreamTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Broker broker;

  @AfterEach
  void close() {
    if (broker != null) broker.close();
  }

  private Broker broker(Broker.Builder b) {
    broker = b.build();
    return broker;
  }

  private static StreamRequest request(String lastEventId) {
    return new StreamRequest("/events", Map.of(), Map.of(), Optional.ofNullable(lastEventId), "test");
  }

  private static String publish(Broker b, String topic, String data) throws Exception {
    return b.publish(topic, Event.of(data)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFreshStreamStartsWithTheRetryHintThenGetsLiveEvents() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1).retryHint(Duration.ofMillis(2500)));
    Recorder t = new Recorder();
    b.openStream(request(null), Subscription.of("news"), t);
    await().atMost(WAIT).until(() -> b.subscriberCount("news") == 1);
    String id = publish(b, "news", "hello");
    publish(b, "other", "not for it");

    assertThat(t.next()).isEqualTo("start null");
    assertThat(t.next()).isEqualTo("retry: 2500\n\n");
    assertThat(t.next()).isEqualTo("flush");
    assertThat(t.nextFrame()).isEqualTo("id: " + id + "\ndata: hello\n\n");
    assertThat(t.wrongThread).isEmpty();
  }

  @Test
  void aResumingStreamGetsTheHistoryAfterItsIdThenLiveEventsOnceEach() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));
    String first = publish(b, "news", "one");
    String second = publish(b, "news", "two");
    Recorder t = new Recorder();
    b.openStream(request(first), Subscription.of("news"), t);
    await().atMost(WAIT).until(() -> b.subscriberCount("news") == 1);
    String third = publish(b, "news", "three");

    assertThat(t.next()).isEqualTo("start " + first); // the Last-Event-ID response header: resumed after it
    assertThat(t.nextFrame()).startsWith("retry: ");
    assertThat(t.nextFrame()).isEqualTo("id: " + second + "\ndata: two\n\n");
    assertThat(t.nextFrame()).isEqualTo("id: " + third + "\ndata: three\n\n");
  }

  @Test
  void anUnknownIdStartsWithTheHistoryCutHeaderAndEvent() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));
    String kept = publish(b, "news", "kept");
    Recorder t = new Recorder();
    b.openStream(request("gone"), Subscription.of("news"), t);

    assertThat(t.next()).isEqualTo("start earliest");
    assertThat(t.nextFrame()).startsWith("retry: ");
    assertThat(t.nextFrame()).isEqualTo("event: history-cut\ndata: {\"lastEventId\":\"gone\",\"earliest\":\"" + kept + "\"}\n\n");
    assertThat(t.nextFrame()).isEqualTo("id: " + kept + "\ndata: kept\n\n");
  }

  @Test
  void aStreamThatCannotTakeALiveEventIsCutAsASlowConsumer() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));
    List<Long> slow = new CopyOnWriteArrayList<>();
    b.addListener(new BrokerListener() {
      @Override
      public void onSlowConsumerClosed(StreamRequest request, long pendingBytes) {
        slow.add(pendingBytes);
      }
    });
    Recorder t = new Recorder();
    StreamHandle handle = b.openStream(request(null), Subscription.of("news"), t);
    await().atMost(WAIT).until(() -> b.subscriberCount("news") == 1);
    t.writable = false;
    publish(b, "news", "too much");

    assertThat(t.nextCall("close")).isEqualTo("close");
    await().atMost(WAIT).until(() -> slow.equals(List.of(t.pendingBytes())));
    handle.closed();
    await().atMost(WAIT).until(() -> b.connectionCount() == 0);
  }

  @Test
  void aHeldBackReplayGoesOnWhenTheTransportIsWritableAgain() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));
    String first = publish(b, "news", "one");
    publish(b, "news", "two");
    Recorder t = new Recorder();
    t.writable = false;
    StreamHandle handle = b.openStream(request(first), Subscription.of("news"), t);
    assertThat(t.next()).isEqualTo("start " + first);
    assertThat(t.nextFrame()).startsWith("retry: ");
    assertThat(t.next()).isEqualTo("flush"); // nothing of the history while it cannot take it

    t.writable = true;
    handle.writable();
    assertThat(t.nextFrame()).endsWith("data: two\n\n");
  }

  @Test
  void closedRemovesTheStreamAndTellsTheListeners() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));
    BlockingQueue<String> reasons = new LinkedBlockingQueue<>();
    b.addListener(new BrokerListener() {
      @Override
      public void onDisconnect(StreamRequest request, String reason) {
        reasons.add(reason);
      }
    });
    StreamHandle handle = b.openStream(request(null), Subscription.of("news"), new Recorder());
    await().atMost(WAIT).until(() -> b.connectionCount() == 1);
    handle.closed();
    handle.closed();

    assertThat(reasons.poll(10, TimeUnit.SECONDS)).isEqualTo("closed");
    await().atMost(WAIT).until(() -> b.connectionCount() == 0 && b.subscriberCount("news") == 0);
    assertThat(reasons.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void endFromTheApplicationEndsTheResponseCleanly() throws Exception {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));
    Recorder t = new Recorder();
    StreamHandle handle = b.openStream(request(null), Subscription.of("news"), t);
    handle.end();

    assertThat(t.nextCall("end")).isEqualTo("end");
  }

  @Test
  void closingTheBrokerTellsEveryStreamWhenToComeBackThenEndsIt() throws Exception {
    Broker b = Broker.builder(InMemoryEventLog.create()).ioThreads(1).retryHint(Duration.ofSeconds(7)).build();
    Recorder t = new Recorder();
    b.openStream(request(null), Subscription.of("news"), t);
    await().atMost(WAIT).until(() -> b.connectionCount() == 1);
    b.close();

    assertThat(t.next()).isEqualTo("start null");
    assertThat(t.nextFrame()).isEqualTo("retry: 7000\n\n");
    assertThat(t.nextFrame()).isEqualTo("retry: 7000\n\n");
    assertThat(t.next()).isEqualTo("end");
  }

  @Test
  void theHistoryUnreadableIsA503BeforeAnythingIsWritten() throws Exception {
    EventLog failing = new EventLog() {
      @Override
      public java.util.concurrent.CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean p) {
        throw new UnsupportedOperationException();
      }

      @Override
      public java.util.concurrent.CompletionStage<Replay> readAfter(String lastEventId) {
        return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("disk on fire"));
      }

      @Override
      public void onAppend(java.util.function.Consumer<StoredEvent> tail) {}
    };
    Broker b = broker(Broker.builder(failing).ioThreads(1));
    Recorder t = new Recorder();
    b.openStream(request("7"), Subscription.of("news"), t);

    assertThat(t.next()).isEqualTo("historyUnavailable the event history cannot be read now: disk on fire");
  }

  @Test
  void aServerServesABrokerBuiltBeforeItAndClosesIt() throws Exception {
    InMemoryEventLog memory = InMemoryEventLog.create();
    java.util.concurrent.CountDownLatch logClosed = new java.util.concurrent.CountDownLatch(1);
    EventLog log = new EventLog() {
      @Override
      public java.util.concurrent.CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean p) {
        return memory.append(topics, event, p);
      }

      @Override
      public java.util.concurrent.CompletionStage<Replay> readAfter(String lastEventId) {
        return memory.readAfter(lastEventId);
      }

      @Override
      public void onAppend(java.util.function.Consumer<StoredEvent> tail) {
        memory.onAppend(tail);
      }

      @Override
      public void close() {
        logClosed.countDown();
      }
    };
    Broker b = Broker.builder(log).ioThreads(1).build();
    HeraldServer server = HeraldServer.builder().broker(b).bindAddress("127.0.0.1").port(0).build().start();
    assertThat(server.broker()).isSameAs(b);
    assertThat(server.eventLog()).isSameAs(log);
    try (EventStreamReader client = EventStreamReader.open(java.net.http.HttpClient.newHttpClient(),
        java.net.URI.create("http://127.0.0.1:" + server.port() + "/events?topic=news"), null)) {
      await().atMost(WAIT).until(() -> b.subscriberCount("news") == 1);
      String id = publish(b, "news", "through the server");
      assertThat(client.take().id()).isEqualTo(id);
    }
    server.close();

    assertThat(logClosed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aBrokersOwnSettingsCannotAlsoBeGivenToTheServer() {
    Broker b = broker(Broker.builder(InMemoryEventLog.create()).ioThreads(1));

    assertThatThrownBy(() -> HeraldServer.builder().broker(b).ioThreads(2).heartbeatInterval(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ioThreads, heartbeatInterval belong to the broker given: set them on Broker.builder");
  }

  /** The container's side: records every call, in order, as text. */
  private static final class Recorder implements StreamTransport {
    final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
    final List<String> wrongThread = new CopyOnWriteArrayList<>();
    volatile boolean writable = true;

    private void record(String call) {
      if (!Thread.currentThread().getName().startsWith("herald-io")) wrongThread.add(call + " on " + Thread.currentThread());
      calls.add(call);
    }

    String next() throws InterruptedException {
      String call = calls.poll(10, TimeUnit.SECONDS);
      assertThat(call).as("a call to the transport").isNotNull();
      return call;
    }

    /** The next frame, skipping flushes and heartbeats. */
    String nextFrame() throws InterruptedException {
      while (true) {
        String call = next();
        if (!call.equals("flush") && !call.equals(":\n")) return call;
      }
    }

    String nextCall(String name) throws InterruptedException {
      while (true) {
        String call = next();
        if (call.equals(name)) return call;
      }
    }

    @Override
    public void start(String lastEventId) {
      record("start " + lastEventId);
    }

    @Override
    public void historyUnavailable(String message) {
      record("historyUnavailable " + message);
    }

    @Override
    public void write(ByteBuffer frame) {
      assertThat(frame.isReadOnly()).isTrue();
      byte[] bytes = new byte[frame.remaining()];
      frame.get(bytes);
      record(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {
      record("flush");
    }

    @Override
    public boolean isWritable() {
      return writable;
    }

    @Override
    public long pendingBytes() {
      return writable ? 0 : 2048;
    }

    @Override
    public long outboundLimitBytes() {
      return 1024;
    }

    @Override
    public void end() {
      record("end");
    }

    @Override
    public void close() {
      record("close");
    }
  }
}
