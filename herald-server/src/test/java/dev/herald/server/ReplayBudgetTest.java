package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.internal.RealBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reconnect storm from {@code earliest}: many clients replay a history of large events at once,
 * and the replays never hold more than the broker's budget, while every client still gets every
 * event once, in order, and the live events published meanwhile after them.
 */
class ReplayBudgetTest {
  private static final int CLIENTS = 200;
  private static final int HISTORY = 2_000;
  private static final int LIVE = 20;
  private static final long PAGE_BYTES = 192 * 1024;
  private static final long BUDGET_BYTES = 4 * PAGE_BYTES;

  private HeraldServer server;
  private ExecutorService clients;

  @AfterEach
  void stop() {
    if (clients != null) clients.shutdownNow();
    if (server != null) server.close();
  }

  @Test
  void manyClientsReplayingAtOnceHoldNoMoreThanTheBudgetAndLoseNothing() throws Exception {
    Broker broker = Broker.builder(InMemoryEventLog.create(HISTORY + LIVE, 1L << 30, Duration.ofHours(1)))
        .replayPageBytes(PAGE_BYTES).maxReplayBytes(BUDGET_BYTES).build();
    server = HeraldServer.builder().broker(broker).maxConnectionsPerAddress(CLIENTS + 10).bindAddress("127.0.0.1")
        .port(0).build().start();
    for (int i = 1; i <= HISTORY; i++) {
      // 4 KiB, and 64 KiB every 25th: several hundred MiB for the clients together, each alone under a page.
      broker.publish("t", Event.of(filler(i % 25 == 0 ? 64 * 1024 : 4 * 1024))).toCompletableFuture().get();
    }
    clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<List<Integer>>> received = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) received.add(clients.submit(() -> readIds(server.port(), HISTORY + LIVE)));
    await().atMost(Duration.ofMinutes(2)).until(() -> broker.subscriberCount("t") == CLIENTS);
    for (int i = 1; i <= LIVE; i++) broker.publish("t", Event.of("live " + i)).toCompletableFuture().get();

    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= HISTORY + LIVE; i++) expected.add(i);
    for (Future<List<Integer>> ids : received) assertThat(ids.get(5, TimeUnit.MINUTES)).isEqualTo(expected);
    RealBroker real = (RealBroker) broker;
    assertThat(real.replayBytesPeak()).isPositive().isLessThanOrEqualTo(BUDGET_BYTES);
    // The budget did bind: streams waited their turn instead of reading at once.
    assertThat(real.replayWaits()).isPositive();
    await().until(() -> real.replayBytes() == 0);
  }

  private static String filler(int bytes) {
    return "x".repeat(bytes);
  }

  /**
   * Resumes from earliest on a raw socket and returns the ids of the first {@code count} events,
   * scanning the bytes for "id: #" at the start of a line (the data is all 'x', so nothing else
   * matches) without keeping the data.
   */
  private static List<Integer> readIds(int port, int count) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
      s.setSoTimeout(120_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
          + "Last-Event-ID: earliest\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      List<Integer> ids = new ArrayList<>(count);
      byte[] buf = new byte[64 * 1024];
      byte[] prefix = "id: #".getBytes(StandardCharsets.US_ASCII);
      int matched = 0; // bytes of the prefix matched since a line start, -1 off a line start
      int id = -1; // the id being read, -1 when not in one
      while (ids.size() < count) {
        int n = in.read(buf);
        if (n < 0) break;
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (id >= 0) {
            if (b == '\n') {
              ids.add(id);
              id = -1;
              matched = 0;
            } else {
              id = id * 10 + (b - '0');
            }
          } else if (b == '\n') {
            matched = 0;
          } else if (matched >= 0 && b == prefix[matched]) {
            if (++matched == prefix.length) id = 0;
          } else {
            matched = -1;
          }
        }
      }
      return ids;
    }
  }
}
