package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections are capped, globally and per client address, with a clear refusal, and event streams
 * are capped below the connections so health checks and publishes still answer when subscribers
 * are at the cap. Small caps here; other client addresses are other loopback addresses (127.0.0.x).
 */
class ConnectionLimitsTest {
  private static final int PER_ADDRESS = 10;
  private static final int STREAMS = 20;
  private static final int CONNECTIONS = 40;
  private static final String HEALTH = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  private static final String PUBLISH = "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";

  private final List<Wire> opened = new ArrayList<>();
  private HeraldServer server;

  private HeraldServer start() {
    return start(CONNECTIONS, STREAMS, PER_ADDRESS, PER_ADDRESS);
  }

  private HeraldServer start(int connections, int streams, int perAddress, int newPerAddress) {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0)
        .maxConnections(connections).maxStreams(streams).maxConnectionsPerAddress(perAddress)
        .maxNewConnectionsPerAddress(newPerAddress)
        .endpoint("/healthz", r -> CompletableFuture.completedFuture(EndpointResponse.text(200, "ok")))
        .endpoint("/publish", r -> server.broker().publish("t", Event.of(r.bodyText()))
            .thenApply(id -> EndpointResponse.text(200, "published " + id)))
        .build().start();
    return server;
  }

  @AfterEach
  void closeAll() throws IOException {
    for (Wire w : opened) w.close();
    if (server != null) server.close();
  }

  private Wire open(String localAddress) throws IOException {
    Wire w = Wire.connect(server.port(), localAddress);
    opened.add(w);
    return w;
  }

  /** Health and a publish, each on a new connection from {@code address}, still answer. */
  private void stillServed(String address) throws IOException {
    try (Wire health = Wire.connect(server.port(), address); Wire publish = Wire.connect(server.port(), address)) {
      assertThat(health.send(HEALTH).read().body()).isEqualTo("ok\n");
      Wire.Response r = publish.send(PUBLISH).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).startsWith("published ");
    }
  }

  @Test
  void byDefaultAServerHoldsWhatItsFileDescriptorsAndHeapAllow() {
    long mib = 1024 * 1024;
    // The launcher's 256 MiB heap under a large descriptor limit: the heap decides.
    assertThat(HeraldServer.Builder.defaultMaxConnections(1_048_576, 256 * mib)).isEqualTo(32_768);
    // A 20,000-descriptor limit under a large heap: the descriptors, less those the process keeps.
    assertThat(HeraldServer.Builder.defaultMaxConnections(20_000, 6 * 1024 * mib)).isEqualTo(19_744);
    // No 10,000 ceiling of its own: 10,000 subscribers fit in the launcher's heap and this limit.
    assertThat(HeraldServer.Builder.defaultMaxConnections(20_000, 256 * mib)).isGreaterThan(10_000 * 100 / 90);
    // A starved process still takes some connections rather than none.
    assertThat(HeraldServer.Builder.defaultMaxConnections(100, 256 * mib)).isEqualTo(HeraldServer.FILE_DESCRIPTORS_KEPT);
  }

  @Test
  void aSlowlorisOf1100ConnectionsFromOneAddressHoldsOnlyItsShare() throws Exception {
    start();
    // Every one starts a request and never finishes it.
    int refused = 0;
    List<Wire> slow = new ArrayList<>();
    for (int i = 0; i < 1100; i++) {
      Wire w = open("127.0.0.1");
      w.send("GET /healthz HTTP/1.1\r\nHo");
      slow.add(w);
    }
    // Which ones were admitted depends on the order the event loops took them in: the refused have an answer.
    await().atMost(Wire.WAIT).until(() -> slow.stream().filter(Wire::hasBytes).count() == 1100 - PER_ADDRESS);
    List<Wire> held = slow.stream().filter(w -> !w.hasBytes()).toList();
    for (Wire w : slow.stream().filter(Wire::hasBytes).toList()) {
      Wire.Response r = w.read();
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.headers()).containsEntry("retry-after", "1").containsEntry("connection", "close");
      assertThat(r.body()).isEqualTo("too many connections from your address (the limit is 10); retry later\n");
      assertThat(w.closed()).isTrue();
      w.close();
      refused++;
    }
    assertThat(refused).isEqualTo(1100 - PER_ADDRESS);
    stillServed("127.0.0.2");

    // The address gets its share back as its connections close.
    assertThat(held).hasSize(PER_ADDRESS).noneMatch(Wire::hasBytes);
    for (Wire w : held) w.close();
    await().atMost(Wire.WAIT).untilAsserted(() -> {
      try (Wire w = Wire.connect(server.port(), "127.0.0.1")) {
        assertThat(w.send(HEALTH).read().status()).isEqualTo(200);
      }
    });
  }

  @Test
  void streamsAboveTheirCapAre503WhileHealthAndPublishesStillAnswer() throws Exception {
    start();
    for (int i = 0; i < STREAMS; i++) {
      // Streams do not count against their address: a proxy's subscribers all share one.
      open("127.0.0.1").send("GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
          .awaitRest("retry: 3000");
    }
    Wire extra = open("127.0.0.3");
    Wire.Response r = extra.send("GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").read();
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.headers()).containsEntry("retry-after", "1");
    assertThat(r.body()).isEqualTo("too many event streams: this server serves at most 20 at once; retry later\n");
    assertThat(extra.closed()).isTrue();

    stillServed("127.0.0.1");
    assertThat(server.broker().subscriberCount("t")).isEqualTo(STREAMS);

    // A stream that ends makes room for another.
    opened.get(0).close();
    await().atMost(Wire.WAIT).until(() -> server.broker().subscriberCount("t") == STREAMS - 1);
    open("127.0.0.3").send("GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        .awaitRest("retry: 3000");
  }

  @Test
  void connectionsAboveTheGlobalCapAre503() throws Exception {
    start();
    for (int i = 0; i < CONNECTIONS; i++) {
      Wire w = open("127.0.0." + (10 + i / PER_ADDRESS));
      assertThat(w.send(HEALTH).read().status()).isEqualTo(200); // admitted, and kept alive
    }
    Wire over = open("127.0.0.20");
    Wire.Response r = over.send(HEALTH).read();
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.headers()).containsEntry("retry-after", "1");
    assertThat(r.body()).isEqualTo("the server is at its limit of 40 connections; retry later\n");
    assertThat(over.closed()).isTrue();
  }

  @Test
  void aBurstOfSubscribersThroughOneProxyAllGetTheirStreams() throws Exception {
    // Every subscriber behind a proxy has its address, and they come back together after a
    // restart: a 429 would end a browser's EventSource for good.
    start(1_000, 900, PER_ADDRESS, HeraldServer.DEFAULT_MAX_NEW_CONNECTIONS_PER_ADDRESS);
    List<Wire> burst = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      burst.add(open("127.0.0.1").send("GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"));
    }
    for (Wire w : burst) w.awaitRest("retry: 3000");
    await().atMost(Wire.WAIT).until(() -> server.broker().subscriberCount("t") == 500);
    stillServed("127.0.0.1");
  }

  @Test
  void slowConnectionsBeyondTheAddressesShareAreRefusedWhenTheirGraceEnds() throws Exception {
    start(1_000, 900, 3, 50);
    List<Wire> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Wire w = open("127.0.0.1");
      assertThat(w.send(HEALTH).read().status()).isEqualTo(200); // a client that speaks, kept alive
      clients.add(w);
    }
    List<Wire> slow = new ArrayList<>();
    for (int i = 0; i < 6; i++) slow.add(open("127.0.0.1").send("GET /healthz HTTP/1.1\r\nHo"));
    // New connections are let in; when their grace is over the address holds 3: the speaking
    // clients keep theirs whatever the order the loops' timers fire in, so at least 3 of the slow
    // ones are refused (each read waits up to Wire.WAIT, well beyond the grace, all at once).
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (Wire w : slow) {
      answers.add(CompletableFuture.supplyAsync(() -> {
        try {
          Wire.Response r = w.read();
          assertThat(r.body()).isEqualTo("too many connections from your address (the limit is 3); retry later\n");
          return r.status();
        } catch (IOException e) {
          return 0; // held: no answer
        }
      }));
    }
    long refused = answers.stream().map(CompletableFuture::join).filter(status -> status == 429).count();
    assertThat(refused).isBetween(3L, 6L);
    for (Wire w : clients) assertThat(w.send(HEALTH).read().status()).isEqualTo(200);
  }
}
