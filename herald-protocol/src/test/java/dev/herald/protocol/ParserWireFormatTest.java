package dev.herald.protocol;

import static dev.herald.protocol.Feeding.bytes;
import static dev.herald.protocol.Feeding.concat;
import static dev.herald.protocol.Feeding.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Conformance section A, "wire format and decoding": grammar, UTF-8, BOMs, line terminators and
 * chunking. Every script runs fed whole, byte by byte and in 2-byte pieces (see {@link Feeding}).
 */
class ParserWireFormatTest {
  private static final byte[] BOM = bytes(0xEF, 0xBB, 0xBF);

  /** Item 1. */
  @Test
  void streamFollowingTheFullGrammarParses() {
    Feeding.parse("\uFEFF"
            + ": a comment\n"
            + "event: greeting\n"
            + "id\n"
            + "data:first\n"
            + "data: second\n"
            + "\n"
            + "retry:10\n"
            + "data\n"
            + "\n")
        .assertComment("a comment")
        .assertEvent("greeting", "first\nsecond", "")
        .assertRetry(10)
        .assertMessage("", "")
        .assertExhausted();
  }

  /** Item 2: the WHATWG decoder never fails; Latin-1 bytes (as windows-1252 would send) are invalid. */
  @Test
  void bytesAreAlwaysDecodedAsUtf8WithInvalidSequencesReplaced() {
    byte[] windows1252 = concat(utf8("data: caf"), bytes(0xE9), utf8("\n\n"));
    byte[] utf8 = utf8("data: café\n\n");
    Feeding.body(windows1252).thenBody(utf8).parse()
        .assertMessage("caf\uFFFD", "")
        .assertMessage("café", "")
        .assertExhausted();
  }

  /** Item 2: each maximal invalid subsequence becomes one U+FFFD, as the WHATWG decoder does. */
  @Test
  void invalidUtf8BecomesOneReplacementCharacterPerMaximalSubpart() {
    assertDecodes(bytes(0xFF), "\uFFFD");
    assertDecodes(bytes(0xC3), "\uFFFD"); // truncated 2-byte sequence
    assertDecodes(bytes(0xE2, 0x82), "\uFFFD"); // truncated 3-byte sequence: one subpart
    assertDecodes(bytes(0xF0, 0x9F, 0x98), "\uFFFD"); // truncated 4-byte sequence
    assertDecodes(bytes(0xE2, 0x82, 0x41), "\uFFFDA"); // ASCII ends the sequence and is kept
    assertDecodes(bytes(0xC0, 0x80), "\uFFFD\uFFFD"); // overlong: C0 never starts a sequence
    assertDecodes(bytes(0xE0, 0x80, 0x80), "\uFFFD\uFFFD\uFFFD"); // overlong 3-byte
    assertDecodes(bytes(0xED, 0xA0, 0x80), "\uFFFD\uFFFD\uFFFD"); // an encoded surrogate
    assertDecodes(bytes(0xF4, 0x90, 0x80, 0x80), "\uFFFD\uFFFD\uFFFD\uFFFD"); // above U+10FFFF
    assertDecodes(bytes(0x80, 0xBF), "\uFFFD\uFFFD"); // lone continuation bytes
  }

  private static void assertDecodes(byte[] value, String expected) {
    Feeding.parse(concat(utf8("data:"), value, utf8("\n\n")))
        .assertMessage(expected, "")
        .assertExhausted();
  }

  /** Item 3. */
  @Test
  void multiByteCharacterSplitAcrossReadsIsReassembled() {
    byte[] stream = utf8("data: \u00e9\u20ac\uD83D\uDE00\n\n"); // 2-, 3- and 4-byte characters
    Feeding.parse(stream).assertMessage("\u00e9\u20ac\uD83D\uDE00", "").assertExhausted();

    // Every split point inside the 4-byte character, explicitly.
    int emoji = utf8("data: \u00e9\u20ac").length;
    for (int cut = emoji + 1; cut < emoji + 4; cut++) {
      Feeding.body(Arrays.copyOfRange(stream, 0, cut))
          .thenBody(Arrays.copyOfRange(stream, cut, stream.length))
          .parse()
          .assertMessage("\u00e9\u20ac\uD83D\uDE00", "")
          .assertExhausted();
    }
  }

  /** Item 4, after WPT format-bom-2: the second BOM joins the first field name. */
  @Test
  void onlyOneLeadingBomIsStrippedSoASecondLosesTheFirstEvent() {
    Feeding.parse(concat(BOM, BOM, utf8("data:1\n\ndata:2\n\n")))
        .assertMessage("2", "")
        .assertExhausted();
  }

  /** Item 5, after WPT format-bom. */
  @Test
  void bomLaterInTheStreamIsOrdinaryText() {
    Feeding.parse(concat(BOM, utf8("data:1\n\n"), BOM, utf8("data:2\n\ndata:3"), BOM, utf8("\n\n")))
        .assertMessage("1", "")
        .assertMessage("3\uFEFF", "")
        .assertExhausted();
  }

  /** Item 6. */
  @Test
  void bomSplitAcrossReadsIsStillStripped() {
    byte[] rest = utf8("data:1\n\n");
    Feeding.body(bytes(0xEF, 0xBB)).thenBody(concat(bytes(0xBF), rest)).parse()
        .assertMessage("1", "")
        .assertExhausted();
    Feeding.body(bytes(0xEF)).thenBody(bytes(0xBB)).thenBody(bytes(0xBF)).thenBody(rest).parse()
        .assertMessage("1", "")
        .assertExhausted();
  }

  /** Item 6: a BOM prefix that turns out not to be a BOM stays part of the first line. */
  @Test
  void partialBomFollowedByOtherBytesBelongsToTheFirstLine() {
    Feeding.body(bytes(0xEF, 0xBB)).thenBody("data:1\n\ndata:2\n\n").parse()
        .assertMessage("2", "")
        .assertExhausted();
    Feeding.body(concat(utf8("data:"), bytes(0xEF, 0xBB), utf8("\n\n"))).parse()
        .assertMessage("\uFFFD", "")
        .assertExhausted();
  }

  /** Item 7, after WPT format-bom-utf-16: the first line is garbage and ignored. */
  @Test
  void utf16BomsAreNotHonouredAndSpoilTheFirstLine() {
    for (byte[] utf16Bom : new byte[][] {bytes(0xFF, 0xFE), bytes(0xFE, 0xFF)}) {
      Feeding.parse(concat(utf16Bom, utf8("data:1\n\ndata:2\n\n")))
          .assertMessage("2", "")
          .assertExhausted();
      // The BOM bytes become two U+FFFD, kept when they land in a value.
      Feeding.parse(concat(utf16Bom, utf8("\ndata:"), utf16Bom, utf8("\n\n")))
          .assertMessage("\uFFFD\uFFFD", "")
          .assertExhausted();
    }
  }

  /** Item 8. */
  @Test
  void endStartsANewBodyThatStripsItsOwnBomAndKeepsTheLastEventId() {
    Feeding.body(concat(BOM, utf8("id: 7\ndata:1\n\nevent: x\ndata:lost")))
        .thenEnd()
        .thenBody(concat(BOM, utf8("data:2\n\n")))
        .parse()
        .assertMessage("1", "7")
        .assertMessage("2", "7")
        .assertExhausted()
        .assertLastEventId("7");
  }

  /** Item 8: a line cut off by the end of one body does not continue into the next. */
  @Test
  void endDiscardsAPartialLineSoTheNextBodyStartsOnAFreshLine() {
    Feeding.body("data:1\n\nda").thenEnd().thenBody("ta:2\n\ndata:3\n\n").parse()
        .assertMessage("1", "")
        .assertMessage("3", "")
        .assertExhausted();
  }

  /** Item 9, after WPT format-newlines and format-leading-space. */
  @Test
  void crlfLfAndCrEndLinesFreelyMixed() {
    Feeding.parse("data:test\r\ndata\ndata:test\r\n\r")
        .assertMessage("test\n\ntest", "")
        .assertExhausted();
    Feeding.parse("data:a\rdata:b\ndata:c\r\n\ndata:d\r\r")
        .assertMessage("a\nb\nc", "")
        .assertMessage("d", "")
        .assertExhausted();
  }

  /** Item 9: CR CR is a line end then an empty line, not one terminator. */
  @Test
  void crCrDispatches() {
    Feeding.parse("data:1\r\rdata:2\r\r")
        .assertMessage("1", "")
        .assertMessage("2", "")
        .assertExhausted();
  }

  /** Item 9: LF CR is two terminators too. */
  @Test
  void lfCrDispatches() {
    Feeding.parse("data:1\n\rdata:2\n\r")
        .assertMessage("1", "")
        .assertMessage("2", "")
        .assertExhausted();
  }

  /** Item 10. */
  @Test
  void crlfSplitAcrossReadsIsOneTerminator() {
    Feeding.body("data:1\r").thenBody("\ndata:2\r").thenBody("\n\r").thenBody("\n").parse()
        .assertMessage("1\n2", "")
        .assertExhausted();
  }

  /** Item 11: no byte follows the CR, yet the event is out. */
  @Test
  void crAtEndOfChunkEndsLineAtOnce() {
    Recorder recorder = new Recorder();
    EventStreamParser parser = EventStreamParser.create(recorder);
    byte[] chunk = utf8("data: x\r\r");
    parser.feed(chunk, 0, chunk.length);
    recorder.assertMessage("x", "").assertExhausted();

    // The same when the CR CR arrive one per read: each CR acts on its own.
    chunk = utf8("id: 1\r");
    parser.feed(chunk, 0, chunk.length);
    chunk = utf8("data: y\r");
    parser.feed(chunk, 0, chunk.length);
    recorder.assertExhausted();
    parser.feed(utf8("\r"), 0, 1);
    recorder.assertMessage("y", "1").assertExhausted();
    assertThat(parser.lastEventId()).isEqualTo("1");
  }

  /** Item 11, all cuts: a retry line ended by a trailing CR is applied before the next read. */
  @Test
  void crAtEndOfChunkAppliesTheLineBeforeTheNextByteArrives() {
    Feeding.parse("retry: 5\r").assertRetry(5).assertExhausted();
    Feeding.parse(": ping\r").assertComment("ping").assertExhausted();
    Feeding.parse("data: x\r\r").assertMessage("x", "").assertExhausted();
  }

  /** Item 12: many events in one read, in stream order, whatever the cut. */
  @Test
  void chunkBoundariesAreArbitraryAndOrderIsKept() {
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      stream.append("id: ").append(i).append("\nevent: e").append(i % 3).append("\ndata: ")
          .append(i).append("\n\n");
    }
    Feeding.Parsed parsed = Feeding.parse(stream.toString());
    for (int i = 0; i < 20; i++) parsed.assertEvent("e" + (i % 3), String.valueOf(i), String.valueOf(i));
    parsed.assertExhausted();

    // Every two-read split of a small stream.
    byte[] small = utf8("event: a\r\ndata: b\r\n:c\r\n\r\n");
    for (int cut = 0; cut <= small.length; cut++) {
      Feeding.body(Arrays.copyOfRange(small, 0, cut))
          .thenBody(Arrays.copyOfRange(small, cut, small.length))
          .parse()
          .assertComment("c")
          .assertEvent("a", "b", "")
          .assertExhausted();
    }
  }

  /** Item 13: within the default limits, byte by byte and 2-byte pieces too. */
  @Test
  void fiveMebibyteEventArrivesIntact() {
    char[] chars = new char[5 * 1024 * 1024];
    for (int i = 0; i < chars.length; i++) chars[i] = (char) ('a' + i % 26);
    String data = new String(chars);
    byte[] stream = utf8("data: " + data + "\n\n");
    Feeding.parse(stream).assertMessage(data, "").assertExhausted();

    // In two reads, cut mid-value.
    int half = stream.length / 2;
    Feeding.body(Arrays.copyOfRange(stream, 0, half))
        .thenBody(Arrays.copyOfRange(stream, half, stream.length))
        .parse()
        .assertMessage(data, "")
        .assertExhausted();
  }

  /** Item 13: the same 5 MiB spread over many data lines. */
  @Test
  void fiveMebibyteEventOfManyLinesArrivesIntact() {
    String line = "x".repeat(1023);
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < 5 * 1024; i++) stream.append("data:").append(line).append('\n');
    stream.append('\n');
    String expected = (line + "\n").repeat(5 * 1024 - 1) + line;
    Feeding.parse(stream.toString()).assertMessage(expected, "").assertExhausted();
  }
}
