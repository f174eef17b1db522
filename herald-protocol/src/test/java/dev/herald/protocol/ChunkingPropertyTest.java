package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Conformance item 12 as a property: chunk boundaries never change what a stream means. */
class ChunkingPropertyTest {
  @Property(tries = 500)
  void anyStreamParsesTheSameWhateverTheChunkBoundaries(@ForAll("streams") byte[] stream, @ForAll Random random) {
    List<Recorder.Call> whole = parse(stream, stream.length);

    // Split in two at every byte.
    for (int cut = 0; cut <= stream.length; cut++) {
      Recorder recorder = new Recorder();
      EventStreamParser parser = EventStreamParser.create(recorder);
      parser.feed(stream, 0, cut);
      parser.feed(stream, cut, stream.length - cut);
      assertThat(recorder.calls()).as("split at %d", cut).isEqualTo(whole);
    }
    assertThat(parse(stream, 1)).as("byte by byte").isEqualTo(whole);
    assertThat(parse(stream, 2)).as("2-byte pieces").isEqualTo(whole);

    Recorder recorder = new Recorder();
    Chunks.feedRandomly(EventStreamParser.create(recorder), stream, random);
    assertThat(recorder.calls()).as("random reads").isEqualTo(whole);
  }

  private static List<Recorder.Call> parse(byte[] stream, int pieceBytes) {
    Recorder recorder = new Recorder();
    EventStreamParser parser = EventStreamParser.create(recorder);
    for (int at = 0; at < stream.length; at += pieceBytes) {
      parser.feed(stream, at, Math.min(pieceBytes, stream.length - at));
    }
    return recorder.calls();
  }

  /**
   * Streams built from the pieces that matter to the grammar: field names, colons, spaces, every
   * line terminator, BOM bytes, multi-byte and invalid UTF-8, digits and NUL.
   */
  @Provide
  Arbitrary<byte[]> streams() {
    Arbitrary<byte[]> token = Arbitraries.of(
            "data", "data:", "data: ", "id:", "id: 1", "event:", "event: t", "retry:", "retry: 15",
            ":", " ", "x", "42", "\r", "\n", "\r\n", "\n\n", "\r\r", "\0", "\u00e9", "\uD83D\uDE00",
            "\uFEFF", "Data:")
        .map(Feeding::utf8);
    Arbitrary<byte[]> rawByte = Arbitraries.bytes().map(b -> new byte[] {b});
    Arbitrary<byte[]> partialBom = Arbitraries.of(new byte[] {(byte) 0xEF}, new byte[] {(byte) 0xEF, (byte) 0xBB});
    return Arbitraries.frequencyOf(
            Tuple.of(8, token),
            Tuple.of(1, rawByte),
            Tuple.of(1, partialBom))
        .list()
        .ofMaxSize(40)
        .map(parts -> Feeding.concat(parts.toArray(new byte[0][])));
  }
}
