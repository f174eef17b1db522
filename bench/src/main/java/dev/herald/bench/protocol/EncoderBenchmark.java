package dev.herald.bench.protocol;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Events per second encoding one small JSON event (about 150 bytes framed) with an id and a type.
 * Into a reused buffer the encoder must allocate nothing: run with {@code -prof gc} and read
 * {@code gc.alloc.rate.norm} (B/op).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class EncoderBenchmark {
  private Event event;
  private byte[] reused;
  private ByteBuffer reusedDirect;

  @Setup
  public void setUp() {
    event = Event.builder()
        .id("1700000123")
        .type("tick")
        .data("{\"symbol\":\"ACME\",\"price\":431.27,\"size\":1200,\"ts\":1700000000123,"
            + "\"venue\":\"XNAS\",\"flags\":[\"regular\"],\"seq\":987654}")
        .build();
    reused = new byte[4096];
    reusedDirect = ByteBuffer.allocateDirect(4096);
  }

  /** What a server writing into its own output buffer does: size the frame, then encode it. */
  @Benchmark
  public int intoReusedArray() {
    int length = EventEncoder.encodedLength(event);
    if (length > reused.length) reused = new byte[length];
    return EventEncoder.encode(event, reused, 0);
  }

  @Benchmark
  public byte[] intoNewArray() {
    return EventEncoder.encode(event);
  }

  @Benchmark
  public int intoReusedDirectBuffer() {
    reusedDirect.clear();
    EventEncoder.encode(event, reusedDirect);
    return reusedDirect.position();
  }
}
