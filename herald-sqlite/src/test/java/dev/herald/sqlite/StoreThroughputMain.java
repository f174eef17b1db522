package dev.herald.sqlite;

import dev.herald.protocol.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durable appends per second: {@code publishers} threads, each keeping {@code window} appends in
 * flight (1: it waits for each acknowledgement, like an HTTP publisher), for {@code seconds} after
 * a warm-up. Not a test: run by hand with the test class path (see docs/architecture.md).
 *
 * <pre>java -cp ... dev.herald.sqlite.StoreThroughputMain [publishers] [window] [seconds] [dataBytes] [dir] [FSYNC_ALWAYS|FSYNC_EVERY_SECOND]</pre>
 */
public final class StoreThroughputMain {
  private StoreThroughputMain() {}

  public static void main(String[] args) throws Exception {
    int publishers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int dataBytes = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    Path dir = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("herald-store-bench");
    String data = "x".repeat(dataBytes);
    SqliteEventLog.Durability durability = args.length > 5 ? SqliteEventLog.Durability.valueOf(args[5])
        : SqliteEventLog.DEFAULT_DURABILITY;

    try (SqliteEventLog log = SqliteEventLog.open(dir, 1_000_000, Duration.ofHours(1), durability)) {
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean running = new AtomicBoolean(true);
      LongAdder acks = new LongAdder();
      List<long[]> latencies = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        long[] samples = new long[1 << 20];
        latencies.add(samples);
        int[] n = {0};
        String topic = "bench/" + p;
        Thread t = new Thread(() -> {
          Semaphore inFlight = new Semaphore(window);
          try {
            while (running.get()) {
              inFlight.acquire();
              long start = System.nanoTime();
              CompletableFuture<?> f = log.append(List.of(topic), Event.of(data), false).toCompletableFuture();
              f.whenComplete((e, error) -> {
                if (error == null && measuring.get()) {
                  acks.increment();
                  synchronized (samples) {
                    if (n[0] < samples.length) samples[n[0]++] = System.nanoTime() - start;
                  }
                }
                inFlight.release();
              });
            }
            inFlight.acquire(window);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "publisher-" + p);
        threads.add(t);
        t.start();
      }
      Thread.sleep(2_000);
      long batches0 = log.batches();
      measuring.set(true);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1_000L);
      measuring.set(false);
      long elapsed = System.nanoTime() - t0;
      long batches = log.batches() - batches0;
      running.set(false);
      for (Thread t : threads) t.join();

      long total = acks.sum();
      long[] all = latencies.stream().flatMapToLong(a -> Arrays.stream(a).filter(v -> v > 0)).sorted().toArray();
      System.out.printf("publishers=%d window=%d dataBytes=%d: %,d durable appends in %.1f s = %,.0f appends/s;"
              + " %,d commits (%.1f events/commit); ack latency p50=%.2f ms p99=%.2f ms%n",
          publishers, window, dataBytes, total, elapsed / 1e9, total / (elapsed / 1e9), batches,
          (double) total / Math.max(1, batches), percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6);
    }
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  }
}
