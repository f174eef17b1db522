package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a server sends, the parser never fails with anything but a named limit, and a limit,
 * once configured, is always enforced.
 */
class ArbitraryBytesPropertyTest {
  @Property(tries = 500)
  void arbitraryBytesNeverThrowWithDefaultLimits(@ForAll("bytes") byte[] stream, @ForAll Random random) {
    Recorder inPieces = new Recorder();
    EventStreamParser parser = EventStreamParser.create(inPieces);
    Chunks.feedRandomly(parser, stream, random);
    parser.end();
    Recorder whole = new Recorder();
    EventStreamParser.create(whole).feed(stream, 0, stream.length);
    // Garbage in, deterministic results out: no exception, and the reads did not matter.
    assertThat(inPieces.calls()).isEqualTo(whole.calls());
  }

  @Property(tries = 500)
  void arbitraryBytesThrowOnlyTheNamedLimitException(
      @ForAll("bytes") byte[] stream,
      @ForAll @IntRange(min = 1, max = 32) int maxLineBytes,
      @ForAll @IntRange(min = 1, max = 32) int maxEventBytes,
      @ForAll Random random) {
    EventStreamParser parser = EventStreamParser.builder()
        .maxLineBytes(maxLineBytes)
        .maxEventBytes(maxEventBytes)
        .build(new Recorder());
    try {
      Chunks.feedRandomly(parser, stream, random);
    } catch (EventStreamLimitException e) {
      long limit = e.limit().equals("maxLineBytes") ? maxLineBytes : maxEventBytes;
      assertThat(e.limit()).isIn("maxLineBytes", "maxEventBytes");
      assertThat(e.limitBytes()).isEqualTo(limit);
      assertThat(e.seenBytes()).isGreaterThan(limit);
      assertThat(e.getMessage()).contains(e.limit(), String.valueOf(e.seenBytes()), String.valueOf(limit));
    }
  }

  @Property(tries = 300)
  void lineLongerThanTheLimitIsAlwaysReported(
      @ForAll @IntRange(min = 1, max = 64) int maxLineBytes,
      @ForAll @IntRange(min = 1, max = 100) int excess,
      @ForAll Random random) {
    byte[] line = new byte[maxLineBytes + excess + 1];
    Arrays.fill(line, (byte) 'x');
    line[line.length - 1] = '\n';
    EventStreamParser parser = EventStreamParser.builder().maxLineBytes(maxLineBytes).build(new Recorder());

    EventStreamLimitException e = catchThrowableOfType(
        EventStreamLimitException.class, () -> Chunks.feedRandomly(parser, line, random));

    assertThat(e).isNotNull();
    assertThat(e.limit()).isEqualTo("maxLineBytes");
    assertThat(e.limitBytes()).isEqualTo(maxLineBytes);
    assertThat(e.seenBytes()).isGreaterThan(maxLineBytes);
  }

  @Property(tries = 300)
  void eventLargerThanTheLimitIsAlwaysReported(
      @ForAll @IntRange(min = 1, max = 64) int maxEventBytes,
      @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 20) Integer> lineLengths,
      @ForAll Random random) {
    StringBuilder block = new StringBuilder();
    int dataBytes = 0;
    for (int n : lineLengths) {
      block.append("data:").append("y".repeat(n)).append('\n');
      dataBytes += n + 1;
    }
    while (dataBytes <= maxEventBytes) {
      block.append("data:").append("z".repeat(10)).append('\n');
      dataBytes += 11;
    }
    block.append('\n');
    EventStreamParser parser = EventStreamParser.builder().maxEventBytes(maxEventBytes).build(new Recorder());

    EventStreamLimitException e = catchThrowableOfType(
        EventStreamLimitException.class, () -> Chunks.feedRandomly(parser, Feeding.utf8(block.toString()), random));

    assertThat(e).isNotNull();
    assertThat(e.limit()).isEqualTo("maxEventBytes");
    assertThat(e.limitBytes()).isEqualTo(maxEventBytes);
    assertThat(e.seenBytes()).isGreaterThan(maxEventBytes);
  }

  /** The fast decoder path agrees with the byte-by-byte WHATWG algorithm on any input. */
  @Property(tries = 2000)
  void utf8DecoderAgreesWithTheWhatwgAlgorithm(@ForAll("bytes") byte[] bytes) {
    assertThat(Utf8.decode(bytes, 0, bytes.length)).isEqualTo(Utf8.decodeSlowly(bytes, 0, bytes.length));
  }

  /** ...and the WHATWG algorithm round-trips valid text. */
  @Property
  void utf8DecoderRoundTripsValidText(@ForAll("validText") String text) {
    byte[] bytes = Feeding.utf8(text);
    assertThat(Utf8.decodeSlowly(bytes, 0, bytes.length)).isEqualTo(text);
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    Arbitrary<Byte> interesting = Arbitraries.of(
        (byte) '\r', (byte) '\n', (byte) ':', (byte) ' ', (byte) 'd', (byte) 0,
        (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xED, (byte) 0xA0, (byte) 0xF4, (byte) 0x90,
        (byte) 0xC2, (byte) 0x80, (byte) 0xFF);
    return Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.bytes()),
            Tuple.of(1, interesting))
        .array(byte[].class)
        .ofMaxSize(200);
  }

  @Provide
  Arbitrary<String> validText() {
    return Arbitraries.strings().all().ofMaxLength(50).map(RoundTripPropertyTest::wire);
  }
}
