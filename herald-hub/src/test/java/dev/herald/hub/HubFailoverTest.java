package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.hub.auth.DevKeys;
import dev.herald.redis.RedisProcess;
import dev.herald.server.browser.Chromium;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Failover in cluster mode, with real processes: three {@code herald serve --redis} nodes (child
 * JVMs) on one {@code redis-server}, and a subscriber reaching them through a load balancer that
 * sends each connection to node B, or to node C when B refuses. A publisher posts to node A
 * 50 times a second; node B is killed with SIGKILL mid-stream; the subscriber's reconnection, to the
 * same URL, lands on node C with its {@code Last-Event-ID}, and it receives every acknowledged
 * publish exactly once, in order: the ones B had delivered from B, the ones published while it was
 * away replayed by C from the shared history, then the live ones from C.
 */
@Timeout(180)
class HubFailoverTest {
  private static final String SECRET = "failover-test-hs256-secret-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** Events the subscriber gets from node B before B is killed. */
  private static final int EVENTS_BEFORE_KILL = 50;
  /** Live events the subscriber must get from node C before publishing stops. */
  private static final int LIVE_EVENTS_AFTER_RECONNECT = 25;

  @RegisterExtension static final Chromium chromium = Chromium.headless();

  @TempDir Path dir;

  private RedisProcess redis;
  private HubProcess a;
  private HubProcess b;
  private HubProcess c;
  private LoopbackBalancer balancer;
  private Publisher publisher;
  private EventSource source;
  private final String token = DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of("*"), List.of(),
      Instant.now().plus(Duration.ofHours(1)));

  @BeforeEach
  void startClusterBehindBalancer() throws Exception {
    redis = RedisProcess.startFast(Files.createDirectories(dir.resolve("redis")));
    // The three JVMs start at once: each takes seconds on a small machine.
    a = node("a");
    b = node("b");
    c = node("c");
    for (HubProcess node : List.of(a, b, c)) node.awaitReady(START_TIMEOUT);
    for (HubProcess node : List.of(a, b, c)) {
      HubClient client = new HubClient(node.port());
      await("node " + node.name + " connected to Redis").atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> client.get("/readyz").statusCode() == 200);
    }
    balancer = new LoopbackBalancer(List.of(b.port(), c.port()));
  }

  private HubProcess node(String name) throws Exception {
    return HubProcess.start(name, Files.createDirectories(dir.resolve(name)),
        "--publisher-key", SECRET, "--anonymous=true", "--store", "memory", "--redis", redis.uri());
  }

  @AfterEach
  void stopEverything() throws Exception {
    List<AutoCloseable> inOrder = new ArrayList<>();
    inOrder.add(() -> chromium.driver().get("about:blank")); // closes the page's EventSource
    inOrder.add(() -> {
      if (source != null) source.close();
    });
    inOrder.add(() -> {
      if (publisher != null) publisher.stop();
    });
    inOrder.add(balancer);
    inOrder.add(a);
    inOrder.add(b);
    inOrder.add(c);
    inOrder.add(redis);
    Exception first = null;
    for (AutoCloseable resource : inOrder) {
      try {
        if (resource != null) resource.close();
      } catch (Exception e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }

  @Test
  void aJavaEventSourceOnAKilledNodeReconnectsToAnotherWithItsLastEventIdAndReceivesEveryAcknowledgedEventOnceInOrder()
      throws Exception {
    String topic = "https://example.com/failover/java";
    Published start = publishStartingPoint(topic);
    List<Received> received = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger opens = new AtomicInteger();
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    // Defaults on purpose: the reconnection time is the hub's retry hint, as for any client.
    source = EventSource.builder(URI.create(balancerUrl() + Hub.PATH + "?topic=" + encode(topic)))
        .lastEventId(start.id())
        .onOpen(es -> opens.incrementAndGet())
        .onMessage((es, e) -> received.add(Received.of(e)))
        .addEventListener("history-cut", (es, e) -> received.add(Received.of(e)))
        .onError((es, error) -> errors.add(error.toString()))
        .build();

    Outcome outcome = failOver(new Subscriber() {
      @Override
      public List<Received> received() {
        synchronized (received) {
          return List.copyOf(received);
        }
      }

      @Override
      public int opens() {
        return opens.get();
      }

      @Override
      public String describe() {
        return "Java EventSource, state " + source.readyState() + ", last id " + source.lastEventId() + ", errors " + errors;
      }
    }, topic);

    assertThat(source.lastEventId()).isEqualTo(outcome.acked().get(outcome.acked().size() - 1).id());
    assertThat(errors).as("one connection lost, with node B").hasSize(1);
  }

  @Test
  void chromiumsEventSourceOnAKilledNodeReconnectsToAnotherWithItsLastEventIdAndReceivesEveryAcknowledgedEventOnceInOrder()
      throws Exception {
    String topic = "https://example.com/failover/browser";
    Published start = publishStartingPoint(topic);
    WebDriver driver = chromium.driver();
    JavascriptExecutor js = (JavascriptExecutor) driver;
    driver.get(balancerUrl() + "/healthz"); // a page of the hub's origin, served by node B
    // Starts after the starting point; from then on Chromium keeps the id and resends it itself.
    js.executeScript("window.received = []; window.opens = 0; window.errors = 0;"
        + "const es = new EventSource(arguments[0]);"
        + "const keep = e => window.received.push({type: e.type, id: e.lastEventId, data: e.data});"
        + "es.onmessage = keep;"
        + "es.addEventListener('history-cut', keep);"
        + "es.onopen = () => { window.opens++; };"
        + "es.onerror = () => { window.errors++; };"
        + "window.es = es;",
        Hub.PATH + "?topic=" + encode(topic) + "&lastEventID=" + encode(start.id()));

    failOver(new Subscriber() {
      @Override
      public List<Received> received() throws Exception {
        String json = (String) js.executeScript("return JSON.stringify(window.received);");
        return JSON.readValue(json, new TypeReference<List<Received>>() {});
      }

      @Override
      public int opens() {
        return ((Number) js.executeScript("return window.opens;")).intValue();
      }

      @Override
      public String describe() {
        return "Chromium EventSource, " + js.executeScript(
            "return 'readyState ' + window.es.readyState + ', errors ' + window.errors + ', opens ' + window.opens;");
      }
    }, topic);

    assertThat(((Number) js.executeScript("return window.errors;")).intValue())
        .as("one connection lost, with node B").isEqualTo(1);
  }

  /**
   * The scenario both clients go through, from a subscriber connected (or connecting) through the
   * balancer: events flow from node B, B is killed, the subscriber reconnects to C while
   * publishing goes on, and in the end it holds exactly the acknowledged publishes.
   */
  private Outcome failOver(Subscriber subscriber, String topic) throws Exception {
    await("subscriber connected").atMost(Duration.ofSeconds(30)).until(() -> subscriber.opens() >= 1);
    assertThat(balancer.connectionsTo(b.port())).as("connections to node B").isPositive();
    assertThat(balancer.connectionsTo(c.port())).as("connections to node C").isZero();

    publisher = new Publisher(a.port(), token, topic);
    await("events from node B").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> subscriber.received().size() >= EVENTS_BEFORE_KILL);
    int receivedFromB = subscriber.received().size();
    long killedAt = System.nanoTime();
    assertThat(b.kill()).as("exit status of node B after SIGKILL (128 + 9)").isEqualTo(137);

    await("reconnection through the balancer to node C").atMost(Duration.ofSeconds(30))
        .until(() -> subscriber.opens() >= 2);
    long reconnectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    assertThat(balancer.connectionsTo(c.port())).as("connections to node C").isPositive();
    int ackedAtReconnect = publisher.acked().size();
    assertThat(ackedAtReconnect).as("publishes acknowledged while the subscriber was away from any node")
        .isGreaterThan(receivedFromB);

    await("live events from node C").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> subscriber.received().size() >= ackedAtReconnect + LIVE_EVENTS_AFTER_RECONNECT);
    publisher.stop();
    List<Published> acked = publisher.acked();
    // A publish node A could not acknowledge in time (a stall on a loaded machine) is a "maybe": it
    // may or may not be delivered, and is left out of the comparison. Node A stays up in this test.
    java.util.Set<String> maybe = publisher.failedData();
    assertThat(maybe.size()).as("failed publishes to node A: %s", publisher.failures()).isLessThan(acked.size() / 10);
    Published last = acked.get(acked.size() - 1);
    await("the last acknowledged event").atMost(Duration.ofSeconds(30))
        .until(() -> subscriber.received().stream().anyMatch(r -> r.id().equals(last.id())));
    // Nothing more may come: a late duplicate would arrive now.
    int settled = subscriber.received().size();
    await("no event after the last").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30))
        .until(() -> subscriber.received().size() == settled);

    List<Received> expected = acked.stream().map(p -> new Received("message", p.id(), p.data())).toList();
    List<Received> definite = subscriber.received().stream().filter(r -> !maybe.contains(r.data())).toList();
    assertThat(definite).as(subscriber.describe()).containsExactlyElementsOf(expected);
    assertThat(subscriber.received()).as("no duplicate, maybes included").doesNotHaveDuplicates();
    assertThat(subscriber.opens()).as("connections opened: node B, then node C").isEqualTo(2);
    System.out.printf("failover (%s): %d events from node B, SIGKILL, reconnected to node C after %d ms;"
            + " %d acknowledged publishes, each received once in order%n",
        subscriber.describe(), receivedFromB, reconnectMillis, acked.size());
    return new Outcome(acked);
  }

  /** A publish before the subscriber connects, whose id it starts from: nothing after it can be missed. */
  private Published publishStartingPoint(String topic) throws Exception {
    HttpResponse<String> r = new HubClient(a.port()).publish(token, "topic", topic, "data", "starting point");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new Published(r.body().trim(), "starting point");
  }

  private String balancerUrl() {
    return "http://127.0.0.1:" + balancer.port();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** One client under test, read from the test thread. */
  interface Subscriber {
    List<Received> received() throws Exception;

    int opens() throws Exception;

    String describe();
  }

  /** An event as the subscriber saw it: its type, its last event id and its data. */
  record Received(String type, String id, String data) {
    static Received of(MessageEvent e) {
      return new Received(e.type(), e.lastEventId(), e.data());
    }
  }

  /** A publish node A acknowledged with a 200: the id it answered and the data sent. */
  record Published(String id, String data) {}

  record Outcome(List<Published> acked) {}

  /**
   * Posts {@code e0}, {@code e1}, ... to one node, one at a time, 50 a second (at most
   * {@link #MAX_EVENTS}), and keeps the acknowledged ones in order.
   */
  static final class Publisher {
    static final Duration INTERVAL = Duration.ofMillis(20);
    static final int MAX_EVENTS = 3_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private final String token;
    private final String topic;
    private final List<Published> acked = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final java.util.Set<String> failedData = new java.util.HashSet<>(); // guarded by failures
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "failover-publisher");
      t.setDaemon(true);
      return t;
    });
    private int sent;

    Publisher(int port, String token, String topic) {
      this.uri = URI.create("http://127.0.0.1:" + port + Hub.PATH);
      this.token = token;
      this.topic = topic;
      scheduler.scheduleAtFixedRate(this::publishOne, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publishOne() {
      if (sent >= MAX_EVENTS) return;
      String data = "e" + sent++;
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(HubClient.form("topic", topic, "data", data)))
          .build();
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) acked.add(new Published(r.body().trim(), data));
        else fail(data, r.statusCode() + " " + r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(data, "interrupted");
      } catch (Exception e) {
        fail(data, e.toString());
      }
    }

    List<Published> acked() {
      synchronized (acked) {
        return List.copyOf(acked);
      }
    }

    private void fail(String data, String why) {
      synchronized (failures) {
        failures.add(data + ": " + why);
        failedData.add(data);
      }
    }

    /** The data of every publish that got no 200: each may or may not be in the history. */
    java.util.Set<String> failedData() {
      synchronized (failures) {
        return java.util.Set.copyOf(failedData);
      }
    }

    List<String> failures() {
      synchronized (failures) {
        return List.copyOf(failures);
      }
    }

    /** Stops publishing once the publish in flight, if any, is answered. */
    void stop() throws InterruptedException {
      scheduler.shutdown();
      assertThat(scheduler.awaitTermination(15, TimeUnit.SECONDS)).as("publisher stopped").isTrue();
    }
  }
}
