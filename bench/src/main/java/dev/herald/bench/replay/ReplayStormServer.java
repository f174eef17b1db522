package dev.herald.bench.replay;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.BrokerStats;
import dev.herald.server.EndpointResponse;
import dev.herald.server.EventLog;
import dev.herald.server.HeraldServer;
import dev.herald.sqlite.SqliteEventLog;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server of the replay storm: Herald on the hub's default store (SQLite) filled with a full
 * history, then serving {@code /events}, and {@code GET /stats} with what the replays cost it:
 * the heap's high-water mark since the history was written (the sum of each heap pool's peak,
 * an upper bound), the largest old generation left after a collection (what stayed reachable),
 * the most direct memory in use, and the broker's replay figures.
 *
 * <p>Usage: {@code ReplayStormServer [--port 18090] [--events 100000] [--payload 64]
 * [--dir /tmp/replay-storm] [--max-replay-bytes 67108864] [--replay-page-bytes 1048576]}. Prints
 * {@code ready port=..} once the history is written.
 */
public final class ReplayStormServer {
  private static final AtomicLong HEAP_USED_MAX = new AtomicLong();
  private static final AtomicLong OLD_AFTER_GC_MAX = new AtomicLong();
  private static final AtomicLong DIRECT_MAX = new AtomicLong();

  private ReplayStormServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(arg(args, "--port", "18090"));
    int events = Integer.parseInt(arg(args, "--events", "100000"));
    int payload = Integer.parseInt(arg(args, "--payload", "64"));
    Path dir = Path.of(arg(args, "--dir", "/tmp/replay-storm"));
    long maxReplayBytes = Long.parseLong(arg(args, "--max-replay-bytes", "" + Broker.Builder.DEFAULT_MAX_REPLAY_BYTES));
    long pageBytes = Long.parseLong(arg(args, "--replay-page-bytes", "" + Broker.Builder.DEFAULT_REPLAY_PAGE_BYTES));
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve("herald-events.db"));
    Files.deleteIfExists(dir.resolve("herald-events.db-wal"));
    Files.deleteIfExists(dir.resolve("herald-events.db-shm"));

    EventLog log = SqliteEventLog.open(dir, events, Duration.ofDays(1));
    Broker broker = Broker.builder(log).heartbeatInterval(Duration.ofHours(1)).maxReplayBytes(maxReplayBytes)
        .replayPageBytes(pageBytes).build();
    HeraldServer server = HeraldServer.builder().broker(broker).bindAddress("127.0.0.1").port(port)
        .maxConnections(19_000).maxConnectionsPerAddress(19_000)
        .endpoint("/stats", request -> CompletableFuture.completedFuture(EndpointResponse.text(200, stats(broker))))
        .build().start();

    String data = "x".repeat(payload);
    Semaphore inFlight = new Semaphore(256);
    for (int i = 0; i < events; i++) {
      inFlight.acquire();
      broker.publish("storm", Event.of(data)).whenComplete((id, error) -> {
        inFlight.release();
        if (error != null) error.printStackTrace();
      });
    }
    inFlight.acquire(256);
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
    Thread sampler = new Thread(ReplayStormServer::sample, "memory-sampler");
    sampler.setDaemon(true);
    sampler.start();
    System.out.println("ready port=" + server.port() + " events=" + events + " payload=" + payload
        + " maxReplayBytes=" + maxReplayBytes + " pageBytes=" + pageBytes + " heapMax="
        + Runtime.getRuntime().maxMemory());
    System.out.flush();
    Thread.currentThread().join(); // serves until killed
  }

  /** Samples what a pool's peak does not say: the old generation after each collection, direct memory. */
  private static void sample() {
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    List<BufferPoolMXBean> buffers = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
    while (true) {
      long heap = 0;
      for (MemoryPoolMXBean pool : pools) {
        if (pool.getType() != MemoryType.HEAP) continue;
        heap += pool.getUsage().getUsed();
        if (pool.getName().contains("Old") && pool.getCollectionUsage() != null) {
          OLD_AFTER_GC_MAX.accumulateAndGet(pool.getCollectionUsage().getUsed(), Math::max);
        }
      }
      HEAP_USED_MAX.accumulateAndGet(heap, Math::max);
      for (BufferPoolMXBean b : buffers) {
        if (b.getName().equals("direct")) DIRECT_MAX.accumulateAndGet(b.getMemoryUsed(), Math::max);
      }
      try {
        Thread.sleep(50); // a sampling period, not a synchronisation
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String stats(Broker broker) {
    long peakSum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) peakSum += pool.getPeakUsage().getUsed();
    }
    BrokerStats s = broker.stats();
    return "heapPeakSumOfPools=" + peakSum + " heapUsedSampledMax=" + HEAP_USED_MAX.get()
        + " oldGenAfterGcMax=" + OLD_AFTER_GC_MAX.get() + " directMax=" + DIRECT_MAX.get()
        + " replayBytesPeak=" + s.replayBytesPeak() + " replayBytesNow=" + s.replayBytes()
        + " delivered=" + s.delivered() + " slowConsumersClosed=" + s.slowConsumersClosed() + "\n";
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) return args[i + 1];
    }
    return fallback;
  }
}
