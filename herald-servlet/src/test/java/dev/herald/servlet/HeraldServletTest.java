package dev.herald.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.InMemoryEventLog;
import dev.herald.servlet.containers.ServletContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Herald's topic streams served by the servlet, on embedded Tomcat and on embedded Jetty. */
class HeraldServletTest extends OnEachContainer {
  private static final Duration TIMEOUT = Received.TIMEOUT;

  private final HttpClient http = HttpClient.newHttpClient();
  private Broker broker;

  private ServletContainer serve(ServletContainer container, HeraldServlet.Builder servlet) throws Exception {
    closeAfter.add(container);
    return container.start("/events", servlet.build());
  }

  private ServletContainer serve(ServletContainer container) throws Exception {
    broker = Broker.builder(InMemoryEventLog.create()).heartbeatInterval(Duration.ofMinutes(5)).build();
    closeAfter.add(broker);
    return serve(container, HeraldServlet.builder(broker));
  }

  private String publish(String topic, Event event) throws Exception {
    return broker.publish(topic, event).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aPublishReachesEverySubscriberOfItsTopicWithItsIdAndName(ServletContainer container) throws Exception {
    serve(container);
    Received first = new Received();
    Received second = new Received();
    Received other = new Received();
    closeAfter.add(first.open(container.origin() + "/events?topic=news", null, "headline"));
    closeAfter.add(second.open(container.origin() + "/events?topic=news&topic=sport", null, "headline"));
    closeAfter.add(other.open(container.origin() + "/events?topic=weather", null, "headline"));
    first.awaitOpen();
    second.awaitOpen();
    other.awaitOpen();

    String id = publish("news", Event.named("headline", "{\"title\":\"Hello\"}"));

    for (Received r : List.of(first, second)) {
      MessageEvent e = r.take();
      assertThat(e.type()).isEqualTo("headline");
      assertThat(e.data()).isEqualTo("{\"title\":\"Hello\"}");
      assertThat(e.lastEventId()).isEqualTo(id);
    }
    publish("weather", Event.of("rain"));
    assertThat(other.take().data()).as("the other topic's subscriber got only its own").isEqualTo("rain");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void resumingWithLastEventIdReplaysWhatWasMissedThenGoesLiveWithNoDuplicate(ServletContainer container)
      throws Exception {
    serve(container);
    String first = publish("news", Event.of("one"));
    publish("news", Event.of("two"));
    publish("news", Event.of("three"));

    Received r = new Received();
    closeAfter.add(r.open(container.origin() + "/events?topic=news", first));
    assertThat(r.take(2)).extracting(MessageEvent::data).containsExactly("two", "three");
    publish("news", Event.of("four"));
    assertThat(r.take().data()).isEqualTo("four");
    assertThat(r.events.poll(200, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void anIdTheHistoryNoLongerHoldsGetsTheHistoryCutSignalFirst(ServletContainer container) throws Exception {
    broker = Broker.builder(InMemoryEventLog.create(2, 1024 * 1024, Duration.ofHours(1))).build();
    closeAfter.add(broker);
    serve(container, HeraldServlet.builder(broker));
    String gone = publish("news", Event.of("one"));
    for (String data : List.of("two", "three", "four")) publish("news", Event.of(data));

    HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(
            URI.create(container.origin() + "/events?topic=news")).header("Last-Event-ID", gone).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("last-event-id")).contains("earliest");

    Received r = new Received();
    closeAfter.add(r.open(container.origin() + "/events?topic=news", gone, "history-cut"));
    MessageEvent cut = r.take();
    assertThat(cut.type()).isEqualTo("history-cut");
    assertThat(cut.data()).contains("\"lastEventId\":\"" + gone + "\"");
    assertThat(r.take(2)).extracting(MessageEvent::data).containsExactly("three", "four");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void theResponseHeadIsAnUncachedEventStreamThatOpensWithTheRetryHint(ServletContainer container) throws Exception {
    serve(container);
    HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(
        URI.create(container.origin() + "/events?topic=news")).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (var body = response.body()) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v.toLowerCase()).startsWith("text/event-stream"));
      assertThat(response.headers().firstValue("cache-control")).contains("no-store");
      assertThat(response.headers().firstValue("x-accel-buffering")).contains("no");
      byte[] first = new byte[8];
      int n = body.readNBytes(first, 0, "retry: ".length());
      assertThat(new String(first, 0, n, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("retry: ");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void badRequestsGetAStatusAndAOneLineReason(ServletContainer container) throws Exception {
    serve(container);
    String base = container.origin() + "/events";
    assertRefused(HttpRequest.newBuilder(URI.create(base)), 400, "no topic");
    assertRefused(HttpRequest.newBuilder(URI.create(base + "?topic=news")).header("Accept", "application/json"),
        406, "text/event-stream");
    assertRefused(HttpRequest.newBuilder(URI.create(base + "?topic=news&lastEventID=a%0Ab")), 400,
        "invalid Last-Event-ID");
    assertRefused(HttpRequest.newBuilder(URI.create(base + "?topic=news")).POST(HttpRequest.BodyPublishers.ofString("x")),
        405, "GET");
    StringBuilder many = new StringBuilder(base + "?topic=t0");
    for (int i = 1; i <= 100; i++) many.append("&topic=t").append(i);
    assertRefused(HttpRequest.newBuilder(URI.create(many.toString())), 400, "too many topics");
  }

  private void assertRefused(HttpRequest.Builder request, int status, String reason) throws Exception {
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.body()).contains(reason).endsWith("\n");
    assertThat(response.body().strip()).doesNotContain("\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aSubscriberThatStopsReadingIsCutOffWhileThePublisherAndTheOthersGoOn(ServletContainer container)
      throws Exception {
    broker = Broker.builder(InMemoryEventLog.create()).build();
    closeAfter.add(broker);
    serve(container, HeraldServlet.builder(broker).outboundBufferLimitBytes(64 * 1024));
    Received reader = new Received();
    closeAfter.add(reader.open(container.origin() + "/events?topic=news", null));
    reader.awaitOpen();
    try (java.net.Socket stalled = new java.net.Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress("127.0.0.1", container.port()));
      stalled.getOutputStream().write(("GET /events?topic=news HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      await().atMost(TIMEOUT).until(() -> broker.connectionCount() == 2);

      String data = "x".repeat(1000);
      // 2 MB at a time until the stalled client is cut: how much the kernel's loopback buffers
      // absorb before the container stops taking bytes depends on the machine (send buffers
      // autotune up to several MB), so the test keeps publishing rather than guess. At most 32 MB.
      int events = 0;
      long publishingNanos = 0;
      while (broker.stats().slowConsumersClosed() == 0 && events < 32_000) {
        long started = System.nanoTime();
        for (int i = 0; i < 2_000; i++) publish("news", Event.of(data));
        publishingNanos += System.nanoTime() - started;
        events += 2_000;
        int published = events;
        // The reader keeps up (or is cut and resumes): wait until it has it all before the next batch.
        await().atMost(TIMEOUT).until(() -> reader.events.size() >= published || broker.stats().slowConsumersClosed() >= 1);
      }
      Duration publishing = Duration.ofNanos(publishingNanos);

      // At least the stalled one; on a busy machine the reader may fall 64 KiB behind and be cut
      // too: it then resumes with Last-Event-ID, and still gets every event once.
      await().atMost(TIMEOUT).until(() -> broker.stats().slowConsumersClosed() >= 1);
      assertThat(reader.take(events)).extracting(MessageEvent::data).as("the reading subscriber got every event")
          .hasSize(events).allMatch(data::equals);
      assertThat(reader.events.poll(200, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
      assertThat(publishing).as("publishing never waited for the stalled client").isLessThan(TIMEOUT);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void closingTheBrokerEndsEveryStreamWithTheRetryHint(ServletContainer container) throws Exception {
    serve(container);
    var body = http.sendAsync(HttpRequest.newBuilder(URI.create(container.origin() + "/events?topic=news")).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(TIMEOUT).until(() -> broker.connectionCount() == 1);
    broker.close();
    String stream = body.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).body();
    assertThat(stream).as("the retry hint first, and again as the stream's last frame")
        .startsWith("retry: 3000\n\n").endsWith("retry: 3000\n\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void noThreadIsHeldPerSubscriber(ServletContainer container) throws Exception {
    broker = Broker.builder(InMemoryEventLog.create()).build();
    closeAfter.add(broker);
    closeAfter.add(container);
    container.start("/events", HeraldServlet.builder(broker).build(), 8);
    int subscribers = 60; // far more than the container's 8 threads
    List<Received> all = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      Received r = new Received();
      closeAfter.add(r.open(container.origin() + "/events?topic=news", null));
      all.add(r);
    }
    await().atMost(TIMEOUT).until(() -> broker.connectionCount() == subscribers);
    String id = publish("news", Event.of("to all"));
    for (Received r : all) assertThat(r.take().lastEventId()).isEqualTo(id);
  }
}
