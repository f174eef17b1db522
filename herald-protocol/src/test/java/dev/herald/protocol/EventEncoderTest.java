package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link EventEncoder} writes exact, parser-safe frames, allocation-free into a caller's buffer. */
class EventEncoderTest {
  @Test
  void unnamedEventIsOneDataLineAndABlankLine() {
    assertEncodes(Event.of("hello"), "data: hello\n\n");
  }

  @Test
  void typicalFrameWritesIdEventAndDataInThatOrder() {
    Event event = Event.builder().data("{\"price\":42}").type("tick").id("17").build();
    assertEncodes(event, "id: 17\nevent: tick\ndata: {\"price\":42}\n\n");
  }

  @Test
  void everyFieldTogetherIsWrittenCommentsRetryIdEventData() {
    Event event = Event.builder()
        .data("d").type("t").id("i").retry(Duration.ofMillis(2500)).comment("c1").comment("c2")
        .build();
    assertEncodes(event, ": c1\n: c2\nretry: 2500\nid: i\nevent: t\ndata: d\n\n");
  }

  @Test
  void multiLineDataBecomesOneDataLinePerLineWhateverTheLineBreak() {
    assertEncodes(Event.of("a\nb\rc\r\nd"), "data: a\ndata: b\ndata: c\ndata: d\n\n");
    assertEncodes(Event.of("a\n"), "data: a\ndata:\n\n");
    assertEncodes(Event.of("\r\n\n\r"), "data:\ndata:\ndata:\ndata:\n\n");
    assertEncodes(Event.of("a\r\rb"), "data: a\ndata:\ndata: b\n\n");
  }

  @Test
  void emptyDataIsABareDataLineSoTheEventStillFires() {
    assertEncodes(Event.of(""), "data:\n\n");
  }

  @Test
  void valueStartingWithSpaceKeepsItBehindTheSeparatorSpace() {
    assertEncodes(Event.builder().id(" 1").type(" t").data(" d").build(), "id:  1\nevent:  t\ndata:  d\n\n");
  }

  @Test
  void commentOnlyFrame() {
    assertEncodes(Event.comment("keep-alive"), ": keep-alive\n\n");
    assertEncodes(Event.comment(""), ":\n\n");
    assertEncodes(Event.comment("a\r\nb"), ": a\n: b\n\n");
  }

  @Test
  void retryOnlyFrameInWholeMilliseconds() {
    assertEncodes(Event.retry(Duration.ofSeconds(3)), "retry: 3000\n\n");
    assertEncodes(Event.retry(Duration.ZERO), "retry: 0\n\n");
    assertEncodes(Event.retry(Duration.ofNanos(1_999_999)), "retry: 1\n\n");
    assertEncodes(Event.retry(Duration.ofMillis(Long.MAX_VALUE)), "retry: " + Long.MAX_VALUE + "\n\n");
  }

  @Test
  void idOnlyFrameAndEmptyIdThatResets() {
    assertEncodes(Event.builder().id("7").build(), "id: 7\n\n");
    assertEncodes(Event.builder().id("").build(), "id:\n\n");
  }

  @Test
  void nonAsciiTextIsUtf8() {
    String text = "caf\u00e9 \u20ac \uD83D\uDE00 \u4e2d";
    assertEncodes(Event.builder().id(text).data(text).build(), "id: " + text + "\ndata: " + text + "\n\n");
  }

  @Test
  void loneSurrogatesAreWrittenAsReplacementCharacter() {
    assertEncodes(Event.of("a\uD800b"), "data: a\uFFFDb\n\n");
    assertEncodes(Event.of("a\uDC00"), "data: a\uFFFD\n\n");
    assertEncodes(Event.of("\uD83D"), "data: \uFFFD\n\n");
    assertEncodes(Event.of("\uDE00\uD83D"), "data: \uFFFD\uFFFD\n\n"); // reversed pair
    assertEncodes(Event.of("\uD83D\nx"), "data: \uFFFD\ndata: x\n\n"); // a line break splits it
    assertEncodes(Event.builder().id("\uD800").build(), "id: \uFFFD\n\n");
  }

  @Test
  void encodeIntoArrayAtOffsetReturnsTheEndAndTouchesNothingElse() {
    Event event = Event.named("t", "d");
    int length = EventEncoder.encodedLength(event);
    byte[] dst = new byte[length + 10];
    Arrays.fill(dst, (byte) '#');
    int end = EventEncoder.encode(event, dst, 4);
    assertThat(end).isEqualTo(4 + length);
    assertThat(new String(dst, StandardCharsets.UTF_8)).isEqualTo("####event: t\ndata: d\n\n######");
  }

  @Test
  void encodeIntoTooSmallArrayThrows() {
    Event event = Event.of("hello");
    byte[] dst = new byte[EventEncoder.encodedLength(event) - 1];
    assertThatThrownBy(() -> EventEncoder.encode(event, dst, 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void encodeIntoHeapBufferHonoursPositionAndArrayOffset() {
    Event event = Event.builder().id("1").data("x\ny").build();
    ByteBuffer backing = ByteBuffer.allocate(64);
    backing.position(3);
    ByteBuffer slice = backing.slice(); // arrayOffset 3
    slice.position(2);
    EventEncoder.encode(event, slice);
    assertThat(slice.position()).isEqualTo(2 + EventEncoder.encodedLength(event));
    assertThat(new String(backing.array(), 5, EventEncoder.encodedLength(event), StandardCharsets.UTF_8))
        .isEqualTo("id: 1\ndata: x\ndata: y\n\n");
    assertThat(backing.array()[4]).isZero();
  }

  @Test
  void encodeIntoDirectBufferWritesTheSameBytes() {
    Event small = Event.named("t", "d\u00e9");
    Event large = Event.of("z".repeat(5000)); // beyond the initial scratch size
    Event huge = Event.of("h".repeat(100_000)); // beyond what the scratch array may keep
    for (Event event : new Event[] {small, large, huge, small}) {
      ByteBuffer direct = ByteBuffer.allocateDirect(128 * 1024);
      direct.position(1);
      EventEncoder.encode(event, direct);
      byte[] written = new byte[direct.position() - 1];
      direct.flip().position(1);
      direct.get(written);
      assertThat(written).isEqualTo(EventEncoder.encode(event));
    }
  }

  @Test
  void encodeIntoBufferWithTooLittleRoomThrowsAndWritesNothing() {
    Event event = Event.of("hello");
    for (ByteBuffer dst : new ByteBuffer[] {
        ByteBuffer.allocate(EventEncoder.encodedLength(event) - 1),
        ByteBuffer.allocateDirect(EventEncoder.encodedLength(event) - 1)}) {
      assertThatThrownBy(() -> EventEncoder.encode(event, dst)).isInstanceOf(BufferOverflowException.class);
      assertThat(dst.position()).isZero();
      assertThat(dst.get(0)).isZero();
    }
  }

  /** Encodes {@code event} every way and checks each against {@code expected} and the length. */
  private static void assertEncodes(Event event, String expected) {
    byte[] expectedBytes = expected.getBytes(StandardCharsets.UTF_8);
    assertThat(EventEncoder.encodedLength(event)).as("encodedLength").isEqualTo(expectedBytes.length);
    assertThat(new String(EventEncoder.encode(event), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(EventEncoder.encode(event)).isEqualTo(expectedBytes);
    byte[] array = new byte[expectedBytes.length];
    assertThat(EventEncoder.encode(event, array, 0)).isEqualTo(expectedBytes.length);
    assertThat(array).isEqualTo(expectedBytes);
  }
}
