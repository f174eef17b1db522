package dev.herald.server.browser;

import static dev.herald.server.browser.EventSourcePage.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import dev.herald.server.CorsPolicy;
import dev.herald.server.HeraldServer;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.StreamHandler;
import dev.herald.server.TopicSelector;
import dev.herald.server.browser.EventSourcePage.Received;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a real browser's {@code EventSource} gets from Herald: events, ids and resumption. */
class BrowserEventSourceTest {
  @RegisterExtension static final Chromium chromium = Chromium.headless();

  /** Short, so the browser comes back quickly after a restart. */
  private static final Duration RETRY = Duration.ofMillis(200);

  private static PageServer pages;
  private final List<HeraldServer> servers = new ArrayList<>();

  @BeforeAll
  static void startPages() throws IOException {
    pages = PageServer.start();
  }

  @AfterAll
  static void stopPages() {
    if (pages != null) pages.close();
  }

  @AfterEach
  void stopServers() {
    servers.forEach(HeraldServer::close);
  }

  @Test
  void pageGetsNamedEventsThroughListenersAndUnnamedOnesThroughOnmessageWithTheirIds() throws Exception {
    HeraldServer server = start(builder(0).cors(CorsPolicy.allowOrigins(pages.origin())));
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("ticks", streamUrl(server, "topic=ticks"), "price");
    awaitSubscribers(server, "ticks", 1);

    publish(server, "ticks", Event.named("price", "101.5"));
    publish(server, "ticks", Event.of("hello"));
    publish(server, "ticks", Event.named("price", "line one\nline two"));
    publish(server, "ticks", Event.named("volume", "no listener for this one"));
    publish(server, "ticks", Event.of("last"));

    eventually().untilAsserted(() -> assertThat(page.received("ticks")).containsExactly(
        new Received("price", "101.5", "#1"),
        new Received("message", "hello", "#2"),
        new Received("price", "line one\nline two", "#3"),
        // 4 is a "volume" event: no listener, and never onmessage.
        new Received("message", "last", "#5")));
    assertThat(page.callbacks("ticks")).containsExactly("open OPEN");
  }

  @Test
  void pageOnTheServersOwnOriginNeedsNoCorsPolicy() throws Exception {
    HeraldServer server = start(builder(0)); // CorsPolicy.sameOrigin(), the default
    // Herald serves no pages, but its 404 is a document on its origin that scripts can run in.
    EventSourcePage page = EventSourcePage.load(chromium.driver(), "http://127.0.0.1:" + server.port() + "/")
        .open("news", "/events?topic=news");
    awaitSubscribers(server, "news", 1);

    publish(server, "news", Event.of("same origin"));

    eventually().untilAsserted(() ->
        assertThat(page.received("news")).containsExactly(new Received("message", "same origin", "#1")));
  }

  @Test
  void pageResumesAcrossAServerRestartWithNoEventLostOrRepeated() throws Exception {
    InMemoryEventLog log = InMemoryEventLog.create();
    CorsPolicy cors = CorsPolicy.allowOrigins(pages.origin());
    HeraldServer first = start(builder(0).cors(cors).eventLog(log));
    int port = first.port();
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("ticks", streamUrl(first, "topic=ticks"), "history-cut");
    awaitSubscribers(first, "ticks", 1);
    publishNumbered(first, 1, 3);
    eventually().untilAsserted(() -> assertThat(page.receivedIds("ticks")).hasSize(3));

    // close() ends every stream with the retry hint; the log outlives the server.
    first.close();
    eventually().untilAsserted(() -> assertThat(page.callbacks("ticks")).contains("error CONNECTING"));

    HeraldServer second = builder(port).cors(cors).eventLog(log).build();
    servers.add(second);
    publishNumbered(second, 4, 6); // while no server listens: the browser fails and retries
    second.start();
    publishNumbered(second, 7, 9); // while the browser is reconnecting
    awaitSubscribers(second, "ticks", 1);
    publishNumbered(second, 10, 12); // live again

    List<String> expected = IntStream.rangeClosed(1, 12).mapToObj(Integer::toString).toList();
    List<String> expectedIds = expected.stream().map(i -> "#" + i).toList();
    eventually().untilAsserted(() -> assertThat(page.receivedIds("ticks")).hasSizeGreaterThanOrEqualTo(12));
    assertThat(page.received("ticks"))
        .extracting(Received::lastEventId).containsExactlyElementsOf(expectedIds);
    assertThat(page.received("ticks"))
        .extracting(Received::data).containsExactlyElementsOf(expected.stream().map(i -> "tick " + i).toList());
    assertThat(page.readyState("ticks")).isEqualTo("OPEN");
  }

  @Test
  void pageResumesFromANonAsciiEventId() throws Exception {
    InMemoryEventLog log = InMemoryEventLog.create();
    CorsPolicy cors = CorsPolicy.allowOrigins(pages.origin());
    HeraldServer first = start(builder(0).cors(cors).eventLog(log));
    int port = first.port();
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("prices", streamUrl(first, "topic=prices"), "history-cut");
    awaitSubscribers(first, "prices", 1);
    publish(first, "prices", Event.builder().id("prix-€-1").data("one").build());
    publish(first, "prices", Event.builder().id("価格-2 ✓").data("two").build());
    eventually().untilAsserted(() -> assertThat(page.receivedIds("prices")).hasSize(2));

    first.close();
    eventually().untilAsserted(() -> assertThat(page.callbacks("prices")).contains("error CONNECTING"));
    HeraldServer second = builder(port).cors(cors).eventLog(log).build();
    servers.add(second);
    publish(second, "prices", Event.builder().id("цена-3").data("three").build());
    second.start();

    // The browser sends Last-Event-ID as UTF-8; had Herald misread it, a history-cut would come first.
    eventually().untilAsserted(() -> assertThat(page.receivedIds("prices")).hasSizeGreaterThanOrEqualTo(3));
    assertThat(page.received("prices")).containsExactly(
        new Received("message", "one", "prix-€-1"),
        new Received("message", "two", "価格-2 ✓"),
        new Received("message", "three", "цена-3"));
  }

  @Test
  void pageFollowingSeveralTopicsGetsAnEventPublishedToManyOfThemOnce() throws Exception {
    HeraldServer server = start(builder(0).cors(CorsPolicy.allowOrigins(pages.origin())));
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("mixed", streamUrl(server, "topic=news&topic=sport&pattern=prices/*"));
    awaitSubscribers(server, "news", 1);

    server.broker().publish(List.of("news", "sport", "prices/eur"), Event.of("everywhere")).toCompletableFuture().get();
    publish(server, "prices/usd", Event.of("by pattern"));
    publish(server, "weather", Event.of("not followed"));
    publish(server, "sport", Event.of("last"));

    eventually().untilAsserted(() -> assertThat(page.received("mixed")).containsExactly(
        new Received("message", "everywhere", "#1"),
        new Received("message", "by pattern", "#2"),
        new Received("message", "last", "#4")));
  }

  @Test
  void pageResumingFromAnEvictedIdIsToldOfTheCutThenGetsTheRetainedHistory() throws Exception {
    InMemoryEventLog log = InMemoryEventLog.create(2, InMemoryEventLog.DEFAULT_MAX_BYTES, InMemoryEventLog.DEFAULT_MAX_AGE);
    CorsPolicy cors = CorsPolicy.allowOrigins(pages.origin());
    HeraldServer first = start(builder(0).cors(cors).eventLog(log));
    int port = first.port();
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("ticks", streamUrl(first, "topic=ticks"), "history-cut");
    awaitSubscribers(first, "ticks", 1);
    publishNumbered(first, 1, 1);
    eventually().untilAsserted(() -> assertThat(page.receivedIds("ticks")).hasSize(1));

    first.close();
    eventually().untilAsserted(() -> assertThat(page.callbacks("ticks")).contains("error CONNECTING"));
    HeraldServer second = builder(port).cors(cors).eventLog(log).build();
    servers.add(second);
    publishNumbered(second, 2, 4); // the log keeps two: 1 and 2 are gone
    second.start();

    eventually().untilAsserted(() -> assertThat(page.receivedIds("ticks")).hasSizeGreaterThanOrEqualTo(4));
    assertThat(page.received("ticks")).containsExactly(
        new Received("message", "tick 1", "#1"),
        // No id of its own: the page's last event id stays "#1" until the history comes.
        new Received("history-cut", "{\"lastEventId\":\"#1\",\"earliest\":\"#3\"}", "#1"),
        new Received("message", "tick 3", "#3"),
        new Received("message", "tick 4", "#4"));
  }

  @Test
  void routeStreamThatEndsIsReopenedByTheBrowserWithItsLastEventId() throws Exception {
    // Each request gets one event numbered after the Last-Event-ID it brought, then the stream ends,
    // until the third, which stays open.
    List<String> lastEventIds = new CopyOnWriteArrayList<>();
    StreamHandler countdown = (request, stream) -> {
      String last = request.lastEventId().orElse("none");
      lastEventIds.add(last);
      int next = last.equals("none") ? 1 : Integer.parseInt(last.substring("n".length())) + 1;
      stream.send(Event.builder().id("n" + next).type("step").data("step " + next).build())
          .thenRun(() -> {
            if (next < 3) stream.complete();
          });
    };
    HeraldServer server = start(builder(0).cors(CorsPolicy.allowOrigins(pages.origin())).route("/countdown", countdown));
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("countdown", "http://127.0.0.1:" + server.port() + "/countdown", "step");

    eventually().untilAsserted(() -> assertThat(page.receivedIds("countdown")).hasSizeGreaterThanOrEqualTo(3));
    assertThat(page.received("countdown")).containsExactly(
        new Received("step", "step 1", "n1"),
        new Received("step", "step 2", "n2"),
        new Received("step", "step 3", "n3"));
    assertThat(lastEventIds).containsExactly("none", "n1", "n2");
    assertThat(page.callbacks("countdown"))
        .containsExactly("open OPEN", "error CONNECTING", "open OPEN", "error CONNECTING", "open OPEN");
  }

  @Test
  void pageRefusedByTheTopicSelectorStopsForGoodInsteadOfRetrying() {
    // A non-200 answer fails an EventSource for good (conformance item 78): no reconnect storm.
    AtomicInteger attempts = new AtomicInteger();
    TopicSelector refuseAll = request -> {
      attempts.incrementAndGet();
      throw new SecurityException("no topics for you");
    };
    HeraldServer server = start(builder(0).cors(CorsPolicy.allowOrigins(pages.origin())).topicSelector(refuseAll));
    EventSourcePage page = EventSourcePage.load(chromium.driver(), pages.pageUrl())
        .open("refused", streamUrl(server, "topic=secret"));

    eventually().untilAsserted(() -> assertThat(page.readyState("refused")).isEqualTo("CLOSED"));
    assertThat(page.callbacks("refused")).containsExactly("error CLOSED");
    // Several retry hints later the browser still has not come back.
    eventually().during(RETRY.multipliedBy(3)).untilAsserted(() -> assertThat(attempts).hasValue(1));
  }

  private HeraldServer start(HeraldServer.Builder builder) {
    HeraldServer server = builder.build();
    servers.add(server);
    return server.start();
  }

  private static HeraldServer.Builder builder(int port) {
    return HeraldServer.builder().bindAddress("127.0.0.1").port(port).retryHint(RETRY);
  }

  private static String streamUrl(HeraldServer server, String query) {
    return "http://127.0.0.1:" + server.port() + "/events?" + query;
  }

  private static void awaitSubscribers(HeraldServer server, String topic, int n) {
    eventually().untilAsserted(() ->
        assertThat(server.broker().subscriberCount(topic)).as("subscribers of %s", topic).isEqualTo(n));
  }

  private static String publish(HeraldServer server, String topic, Event event) throws Exception {
    return server.broker().publish(topic, event).toCompletableFuture().get();
  }

  private static void publishNumbered(HeraldServer server, int from, int to) throws Exception {
    for (int i = from; i <= to; i++) {
      assertThat(publish(server, "ticks", Event.of("tick " + i))).isEqualTo("#" + i);
    }
  }
}
