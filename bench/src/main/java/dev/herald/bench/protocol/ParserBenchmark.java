package dev.herald.bench.protocol;

import dev.herald.protocol.EventStreamParser;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.sse.internal.ServerSentEventReader;
import okio.Buffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Herald's {@link EventStreamParser} against OkHttp's {@code ServerSentEventReader} on the same
 * bytes. One operation parses a whole stream of about 1 MiB; the {@code bytes} counter reports the
 * throughput in bytes per second.
 *
 * <p>Each side gets the bytes the way it would from a socket, with nothing but parsing measured:
 * Herald in 8 KiB reads (a typical socket read) from one array, OkHttp from an okio
 * {@link Buffer} holding the stream in okio's own 8 KiB segments, filled once; each operation reads
 * a {@link Buffer#copy() copy} of it, which shares the segments instead of copying bytes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class ParserBenchmark {
  private static final int READ_BYTES = 8 * 1024;

  @Param({"smallJsonEvents", "largeMultiLineEvents"})
  public String stream;

  private byte[] bytes;
  private Buffer filled;

  /** Bytes parsed, reported by JMH as a rate next to ops/s. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Bytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    bytes = "smallJsonEvents".equals(stream)
        ? Streams.smallJsonEvents()
        : Streams.largeMultiLineEvents();
    filled = new Buffer().write(bytes);
    // Both parsers must read the same events, or the comparison means nothing.
    int[] herald = new int[1];
    EventStreamParser parser = EventStreamParser.create((type, data, id) -> herald[0]++);
    parser.feed(bytes, 0, bytes.length);
    int[] okhttp = new int[1];
    ServerSentEventReader reader = new ServerSentEventReader(filled.copy(), new ServerSentEventReader.Callback() {
      @Override
      public void onEvent(String id, String type, String data) {
        okhttp[0]++;
      }

      @Override
      public void onRetryChange(long timeMs) {}
    });
    while (reader.processNextEvent()) {
      // drain
    }
    if (herald[0] != okhttp[0] || herald[0] == 0) {
      throw new IllegalStateException("event counts differ: herald " + herald[0] + ", okhttp " + okhttp[0]);
    }
  }

  @Benchmark
  public void herald(Bytes counter, Blackhole bh) {
    EventStreamParser parser = EventStreamParser.create((type, data, lastEventId) -> {
      bh.consume(type);
      bh.consume(data);
      bh.consume(lastEventId);
    });
    byte[] b = bytes;
    for (int at = 0; at < b.length; at += READ_BYTES) {
      parser.feed(b, at, Math.min(READ_BYTES, b.length - at));
    }
    parser.end();
    counter.bytes += b.length;
  }

  @Benchmark
  public void okhttp(Bytes counter, Blackhole bh) throws IOException {
    ServerSentEventReader reader = new ServerSentEventReader(filled.copy(), new ServerSentEventReader.Callback() {
      @Override
      public void onEvent(String id, String type, String data) {
        bh.consume(id);
        bh.consume(type);
        bh.consume(data);
      }

      @Override
      public void onRetryChange(long timeMs) {
        bh.consume(timeMs);
      }
    });
    while (reader.processNextEvent()) {
      // each call reads one event
    }
    counter.bytes += bytes.length;
  }
}
