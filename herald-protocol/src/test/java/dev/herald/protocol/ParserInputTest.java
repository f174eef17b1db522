package dev.herald.protocol;

import static dev.herald.protocol.Feeding.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How bytes reach the parser: arrays it must not hold on to, heap and direct buffers. */
class ParserInputTest {
  private final Recorder recorder = new Recorder();

  @Test
  void callerMayReuseItsArrayOnceFeedReturns() {
    EventStreamParser parser = EventStreamParser.create(recorder);
    byte[] read = utf8("id: 1\ndata: first line\n");
    parser.feed(read, 0, read.length);
    Arrays.fill(read, (byte) '#'); // the caller's next read lands in the same array
    byte[] next = utf8("\n");
    parser.feed(next, 0, 1);
    recorder.assertMessage("first line", "1").assertExhausted();
  }

  @Test
  void feedingHeapAndDirectBuffersParsesTheSameAsArrays() {
    byte[] stream = utf8("id: \u2026\ndata: " + "y".repeat(20_000) + "\n\n");
    ByteBuffer heap = ByteBuffer.allocate(stream.length + 10);
    heap.position(3);
    ByteBuffer slice = heap.slice().put(stream).flip();
    ByteBuffer direct = ByteBuffer.allocateDirect(stream.length).put(stream).flip();
    for (ByteBuffer buffer : new ByteBuffer[] {slice, direct}) {
      EventStreamParser parser = EventStreamParser.create(recorder);
      parser.feed(buffer);
      assertThat(buffer.hasRemaining()).isFalse();
      recorder.assertMessage("y".repeat(20_000), "\u2026");
    }
    recorder.assertExhausted();
  }

  @Test
  void feedRejectsAnOutOfRangeSlice() {
    EventStreamParser parser = EventStreamParser.create(recorder);
    assertThat(catchThrowableOfType(IndexOutOfBoundsException.class, () -> parser.feed(new byte[4], 2, 3)))
        .isNotNull();
    recorder.assertExhausted();
  }
}
