package dev.herald.bench.client;

import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.client.MessageStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Events per second one client consumes from a loopback server ({@link LoopbackSseServer}), for
 * Herald's client and its peers in the same run. Each invocation opens a connection, consumes
 * {@link #EVENTS} events (about 6 MB) and closes; JMH reports operations (events) per second.
 *
 * <ul>
 *   <li>{@code herald}: {@link EventSource} push style, callbacks on its default callback thread;
 *   <li>{@code heraldPull}: {@link MessageStream}, the benchmark thread pulls;
 *   <li>{@code okhttpSse}: OkHttp's {@code okhttp-sse}, callbacks on the reader thread;
 *   <li>{@code launchDarklyBackground}: LaunchDarkly's {@code BackgroundEventSource} (push, its
 *       event executor);
 *   <li>{@code launchDarklyPull}: LaunchDarkly's {@code EventSource.messages()} (pull).
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar ClientThroughputBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ClientThroughputBenchmark {
  /** Events per connection. */
  public static final int EVENTS = 100_000;

  private LoopbackSseServer server;
  private OkHttpClient okHttp;

  @Setup(Level.Trial)
  public void start() throws IOException {
    server = new LoopbackSseServer(EVENTS);
    okHttp = new OkHttpClient.Builder().readTimeout(Duration.ZERO).build();
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    server.close();
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void herald(Blackhole bh) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    int[] count = {0};
    try (EventSource es = EventSource.builder(server.url())
        .onMessage((source, e) -> {
          bh.consume(e.data());
          if (++count[0] == EVENTS) done.countDown();
        })
        .build()) {
      await(done);
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void heraldPull(Blackhole bh) {
    try (MessageStream stream = EventSource.builder(server.url()).buildStream(1024)) {
      for (int i = 0; i < EVENTS; i++) {
        MessageEvent e = stream.next();
        bh.consume(e.data());
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void okhttpSse(Blackhole bh) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    int[] count = {0};
    Request request = new Request.Builder().url(server.url().toString())
        .header("Accept", "text/event-stream").build();
    okhttp3.sse.EventSource es = EventSources.createFactory(okHttp).newEventSource(request,
        new EventSourceListener() {
          @Override
          public void onEvent(okhttp3.sse.EventSource source, String id, String type, String data) {
            bh.consume(data);
            if (++count[0] == EVENTS) done.countDown();
          }
        });
    try {
      await(done);
    } finally {
      es.cancel();
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void launchDarklyBackground(Blackhole bh) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    int[] count = {0};
    BackgroundEventHandler handler = new BackgroundEventHandler() {
      @Override
      public void onOpen() {}

      @Override
      public void onClosed() {}

      @Override
      public void onMessage(String event, com.launchdarkly.eventsource.MessageEvent e) {
        bh.consume(e.getData());
        if (++count[0] == EVENTS) done.countDown();
      }

      @Override
      public void onComment(String comment) {}

      @Override
      public void onError(Throwable t) {}
    };
    try (BackgroundEventSource es = new BackgroundEventSource.Builder(handler,
        new com.launchdarkly.eventsource.EventSource.Builder(server.url())).build()) {
      es.start();
      await(done);
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void launchDarklyPull(Blackhole bh) {
    try (com.launchdarkly.eventsource.EventSource es =
        new com.launchdarkly.eventsource.EventSource.Builder(server.url()).build()) {
      int n = 0;
      for (com.launchdarkly.eventsource.MessageEvent e : es.messages()) {
        bh.consume(e.getData());
        if (++n == EVENTS) break;
      }
    }
  }

  private static void await(CountDownLatch done) throws InterruptedException {
    if (!done.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("events missing");
  }
}
