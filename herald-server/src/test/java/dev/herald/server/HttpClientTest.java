package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.testing.EventStreamReader;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The server against the JDK HttpClient, over HTTP/1.1, h2c and TLS with HTTP/2. */
class HttpClientTest {
  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private HeraldServer start(HeraldServer.Builder b) {
    server = b.bindAddress("127.0.0.1").port(0).build().start();
    return server;
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
  }

  private void awaitSubscribers(String topic, int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> server.broker().subscriberCount(topic) == n);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void manyStreamsEachReceiveEveryEventInOrder(HttpClient.Version version) throws Exception {
    start(HeraldServer.builder());
    HttpClient client = HttpClient.newBuilder().version(version).build();
    List<EventStreamReader> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) streams.add(EventStreamReader.open(client, uri("/events?topic=t"), null));
      awaitSubscribers("t", 20);
      for (int i = 1; i <= 50; i++) server.broker().publish("t", Event.of("e" + i));
      for (EventStreamReader s : streams) {
        for (int i = 1; i <= 50; i++) {
          EventStreamReader.Received r = s.take();
          assertThat(r.id()).isEqualTo("#" + i);
          assertThat(r.data()).isEqualTo("e" + i);
        }
        assertThat(s.response.version()).isEqualTo(version);
      }
    } finally {
      for (EventStreamReader s : streams) s.close();
    }
  }

  @Test
  void tlsNegotiatesHttp2WithAlpn() throws Exception {
    SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
    try {
      start(HeraldServer.builder().tls(cert.certificate().toPath(), cert.privateKey().toPath()));
      HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).build();
      try (EventStreamReader s = EventStreamReader.open(client,
          URI.create("https://localhost:" + server.port() + "/events?topic=t"), null)) {
        awaitSubscribers("t", 1);
        server.broker().publish("t", Event.named("secure", "over h2"));
        EventStreamReader.Received r = s.take();
        assertThat(r.type()).isEqualTo("secure");
        assertThat(r.data()).isEqualTo("over h2");
        assertThat(s.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      }
    } finally {
      cert.delete();
    }
  }

  @Test
  void closedStreamIsDetectedAndRemoved() throws Exception {
    start(HeraldServer.builder());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    EventStreamReader s = EventStreamReader.open(client, uri("/events?topic=t"), null);
    awaitSubscribers("t", 1);
    s.close();
    awaitSubscribers("t", 0);
  }

  /**
   * 100 clients keep dropping their stream and resuming from their last id (or from a random
   * earlier one) while events are published without pause: each client's ids are exactly the
   * log's sequence, with no gap and no duplicate.
   */
  @Test
  void resumesRacingWithPublishesSeeEveryEventOnceInOrder() throws Exception {
    start(HeraldServer.builder());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicBoolean publishing = new AtomicBoolean(true);
    AtomicInteger published = new AtomicInteger();
    Thread publisher = new Thread(() -> {
      // Paced (about 200 events/s), not synchronised: the history must outlast the test.
      while (publishing.get() && published.get() < 100_000) {
        server.broker().publish("race", Event.of("n")).toCompletableFuture().join();
        published.incrementAndGet();
        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
      }
    });
    publisher.start();
    await().until(() -> published.get() > 100);
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 100; c++) {
      long seed = c;
      Thread t = new Thread(() -> {
        Random random = new Random(seed);
        int now = published.get();
        long last = Math.max(1, now - random.nextInt(100));
        try {
          for (int round = 0; round < 3; round++) {
            try (EventStreamReader s = EventStreamReader.open(client, uri("/events?topic=race"), "#" + last)) {
              int want = 5 + random.nextInt(30);
              for (int i = 0; i < want; i++) {
                long id = Long.parseLong(s.take().id().substring(1));
                if (id != last + 1) problems.add("expected " + (last + 1) + " got " + id);
                last = id;
              }
            }
          }
        } catch (Throwable e) {
          problems.add(e.toString());
        }
      });
      t.start();
      clients.add(t);
    }
    for (Thread t : clients) t.join(60_000);
    publishing.set(false);
    publisher.join(10_000);
    assertThat(problems).isEmpty();
  }

  @Test
  void slowReaderIsClosedWhileFastReadersKeepUp() throws Exception {
    start(HeraldServer.builder().outboundBufferLimitBytes(64 * 1024));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicInteger slowClosed = new AtomicInteger();
    server.broker().addListener(new BrokerListener() {
      @Override
      public void onSlowConsumerClosed(StreamRequest request, long pendingBytes) {
        slowClosed.incrementAndGet();
      }
    });
    try (RawClient slow = RawClient.connectSlow(server.port());
        EventStreamReader fast1 = EventStreamReader.open(client, uri("/events?topic=t"), null);
        EventStreamReader fast2 = EventStreamReader.open(client, uri("/events?topic=t"), null)) {
      slow.get("/events?topic=t");
      awaitSubscribers("t", 3);
      String payload = "y".repeat(32 * 1024);
      long worstMillis = 0;
      for (int n = 1; n <= 1000 && slowClosed.get() == 0; n++) {
        long sent = System.nanoTime();
        server.broker().publish("t", Event.of(payload)).toCompletableFuture().get();
        for (EventStreamReader f : List.of(fast1, fast2)) {
          EventStreamReader.Received r = f.take();
          assertThat(r.id()).isEqualTo("#" + n);
          worstMillis = Math.max(worstMillis, (r.receivedNanos() - sent) / 1_000_000);
        }
      }
      assertThat(slowClosed.get()).isEqualTo(1);
      awaitSubscribers("t", 2);
      // The fast readers were never held back by the stuck one.
      assertThat(worstMillis).isLessThan(2000);
    }
  }

  private static SSLContext trustAll() throws Exception {
    TrustManager tm = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {tm}, new SecureRandom());
    return ctx;
  }
}
