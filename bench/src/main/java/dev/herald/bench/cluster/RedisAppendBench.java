package dev.herald.bench.cluster;

import dev.herald.protocol.Event;
import dev.herald.redis.RedisEventLog;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast one node appends to the cluster's Redis stream, with K appends in flight: the rate
 * behind every figure of docs/redis.md's "What acknowledged means".
 *
 * <ul>
 *   <li>{@code --mode log}: {@link RedisEventLog#append}, the call a hub's publish makes. It
 *       completes once Redis replied to the {@code XADD} (after its AOF write and, with
 *       {@code appendfsync always}, its fsync) and this node's own {@code XREAD} tail read the
 *       entry back.
 *   <li>{@code --mode xadd}: the same entry (same fields, {@code MAXLEN ~}) sent with Lettuce's
 *       {@code XADD} and counted at Redis's reply: the floor without the read-back.
 * </ul>
 *
 * <pre>
 * RedisAppendBench --redis redis://127.0.0.1:6379 --mode xadd,log --in-flight 1,256 --rounds 3
 * </pre>
 *
 * <p>One issuing thread keeps K appends in flight (a semaphore of K permits, released by each
 * completion). Each mode and K first runs {@code --warmup-s} unmeasured; then {@code --rounds}
 * rounds each measure every K and mode for {@code --duration-s}, interleaved, so that a change
 * of the machine's load (or of the disk's fsync time) hits every setting alike. Prints a
 * {@code RESULT} line per measurement and a {@code SUMMARY} line per setting: the median
 * appends/s of the rounds and the acknowledgement latency of all rounds together.
 */
@Command(name = "RedisAppendBench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Appends/s to a Redis stream through RedisEventLog (or raw XADD), K in flight.")
public final class RedisAppendBench implements Callable<Integer> {
  private static final List<String> TOPICS = List.of("bench");
  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);

  @Option(names = "--redis", required = true, description = "redis://host:port")
  String redis;

  @Option(names = "--mode", split = ",", defaultValue = "xadd,log",
      description = "log (RedisEventLog.append) and/or xadd (raw XADD), comma-separated. Default: ${DEFAULT-VALUE}.")
  List<String> modes = new ArrayList<>();

  @Option(names = "--in-flight", split = ",", defaultValue = "1,256", description = "Appends in flight. Default: ${DEFAULT-VALUE}.")
  List<Integer> inFlight = new ArrayList<>();

  @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--duration-s", defaultValue = "3", description = "Measured seconds per setting and round. Default: ${DEFAULT-VALUE}.")
  double durationSeconds;

  @Option(names = "--warmup-s", defaultValue = "3", description = "Unmeasured seconds per setting, first. Default: ${DEFAULT-VALUE}.")
  double warmupSeconds;

  @Option(names = "--payload", defaultValue = "100", description = "Bytes of each event's data. Default: ${DEFAULT-VALUE}.")
  int payloadBytes;

  @Option(names = "--stream-key", defaultValue = "herald:bench",
      description = "The log's stream; raw XADDs go to <key>:raw. Default: ${DEFAULT-VALUE}.")
  String streamKey;

  @Option(names = "--label", defaultValue = "append", description = "Label of the RESULT lines.")
  String label;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RedisAppendBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    for (String m : modes) {
      if (!m.equals("log") && !m.equals("xadd")) throw new CommandLine.ParameterException(new CommandLine(this), "--mode log,xadd");
    }
    String data = "x".repeat(payloadBytes);
    LongAdder tailed = new LongAdder();
    RedisEventLog log = RedisEventLog.connect(redis, RedisEventLog.Settings.defaults().withStreamKey(streamKey));
    RedisClient client = RedisClient.create(redis);
    try (StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8)) {
      log.onAppend(e -> tailed.increment());
      for (int i = 0; i < 100 && !log.ready(); i++) Thread.sleep(100);
      if (!log.ready()) throw new IllegalStateException("Redis at " + redis + " not ready after 10 s");
      Event event = Event.builder().data(data).build();
      RedisAsyncCommands<String, String> r = c.async();
      // The fields EntryCodec writes for an event on one topic from one node.
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("node", "00000000-0000-0000-0000-000000000000");
      fields.put("topics", "1");
      fields.put("topic.0", TOPICS.get(0));
      fields.put("data", data);
      XAddArgs args = new XAddArgs().maxlen(RedisEventLog.Settings.DEFAULT_MAX_EVENTS).approximateTrimming();
      Map<String, Supplier<CompletionStage<?>>> appends = Map.of(
          "log", () -> log.append(TOPICS, event, false),
          "xadd", () -> r.xadd(streamKey + ":raw", args, fields));

      for (int k : inFlight) {
        for (String m : modes) run(k, warmupSeconds, appends.get(m));
      }
      Map<String, List<Run>> runs = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        for (int k : inFlight) {
          for (String m : modes) {
            Run run = run(k, durationSeconds, appends.get(m));
            runs.computeIfAbsent(m + " " + k, x -> new ArrayList<>()).add(run);
            Histogram h = run.latencyMicros;
            System.out.printf(Locale.ROOT, "RESULT %s round=%d mode=%s inFlight=%d appends/s=%.0f p50=%.3f p99=%.3f max=%.3f ms"
                    + " acked=%d failed=%d%s%n", label, round, m, k, run.acked / run.seconds, ms(h, 50), ms(h, 99),
                h.getMaxValue() / 1000.0, run.acked, run.failed, run.firstFailure == null ? "" : " first failure: " + run.firstFailure);
          }
        }
      }
      boolean clean = true;
      for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
        String[] mk = e.getKey().split(" ");
        List<Double> rates = new ArrayList<>();
        Histogram all = new Histogram(MAX_MICROS, 3);
        long failed = 0;
        for (Run run : e.getValue()) {
          rates.add(run.acked / run.seconds);
          all.add(run.latencyMicros);
          failed += run.failed;
          clean &= run.drained;
        }
        rates.sort(null);
        clean &= failed == 0;
        System.out.printf(Locale.ROOT, "SUMMARY %s mode=%s inFlight=%s appends/s=%.0f min=%.0f max=%.0f p50=%.3f p90=%.3f p99=%.3f"
                + " max=%.3f ms rounds=%d failed=%d%n", label, mk[0], mk[1], rates.get(rates.size() / 2), rates.get(0),
            rates.get(rates.size() - 1), ms(all, 50), ms(all, 90), ms(all, 99), all.getMaxValue() / 1000.0, rates.size(), failed);
      }
      System.out.printf(Locale.ROOT, "  the log's tail delivered %d entries%n", tailed.sum());
      return clean ? 0 : 1;
    } finally {
      log.close();
      client.shutdown();
    }
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static Run run(int k, double seconds, Supplier<CompletionStage<?>> append) throws InterruptedException {
    Semaphore window = new Semaphore(k);
    Recorder recorder = new Recorder(MAX_MICROS, 3);
    LongAdder acked = new LongAdder();
    LongAdder failed = new LongAdder();
    String[] firstFailure = new String[1];
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      // Bounded: an append that never completes stops the run instead of hanging it.
      if (!window.tryAcquire(30, TimeUnit.SECONDS)) break;
      long sent = System.nanoTime();
      CompletionStage<?> stage;
      try {
        stage = append.get();
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      stage.whenComplete((ok, error) -> {
        if (error == null) {
          recorder.recordValue(Math.min((System.nanoTime() - sent) / 1000, MAX_MICROS));
          acked.increment();
        } else {
          failed.increment();
          synchronized (firstFailure) {
            if (firstFailure[0] == null) firstFailure[0] = error.toString();
          }
        }
        window.release();
      });
    }
    boolean drained = window.tryAcquire(k, 30, TimeUnit.SECONDS);
    Run r = new Run();
    r.seconds = (System.nanoTime() - start) / 1e9;
    r.latencyMicros = recorder.getIntervalHistogram();
    r.acked = acked.sum();
    r.failed = failed.sum() + (drained ? 0 : k);
    r.drained = drained;
    r.firstFailure = firstFailure[0];
    return r;
  }

  private static final class Run {
    double seconds;
    Histogram latencyMicros;
    long acked;
    long failed;
    boolean drained;
    String firstFailure;
  }
}
