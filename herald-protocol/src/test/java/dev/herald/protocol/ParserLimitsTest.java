package dev.herald.protocol;

import static dev.herald.protocol.Feeding.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/**
 * Item 13's resource limits: a limit is explicit, configurable, reported by name, and only costs
 * the body that broke it.
 */
class ParserLimitsTest {
  private final Recorder recorder = new Recorder();

  @Test
  void lineLongerThanMaxLineBytesIsReportedWithTheLimitAndSize() {
    EventStreamParser parser = EventStreamParser.builder().maxLineBytes(10).build(recorder);
    EventStreamLimitException e = feedExpectingLimit(parser, "data: 12345\n");
    assertThat(e.limit()).isEqualTo("maxLineBytes");
    assertThat(e.limitBytes()).isEqualTo(10);
    assertThat(e.seenBytes()).isEqualTo(11);
    assertThat(e).hasMessage("maxLineBytes exceeded: saw at least 11 bytes, the limit is 10");
  }

  @Test
  void lineOfExactlyMaxLineBytesIsAccepted() {
    EventStreamParser parser = EventStreamParser.builder().maxLineBytes(10).build(recorder);
    feed(parser, "data: 1234\n\n");
    recorder.assertMessage("1234", "").assertExhausted();
  }

  @Test
  void lineGrowingPastTheLimitAcrossReadsIsReportedBeforeItEnds() {
    EventStreamParser parser = EventStreamParser.builder().maxLineBytes(10).build(recorder);
    feed(parser, "data: 12");
    feed(parser, "34");
    EventStreamLimitException e = feedExpectingLimit(parser, "5");
    assertThat(e.limit()).isEqualTo("maxLineBytes");
    assertThat(e.seenBytes()).isEqualTo(11);
  }

  @Test
  void eventDataLargerThanMaxEventBytesIsReportedWithTheLimitAndSize() {
    EventStreamParser parser = EventStreamParser.builder().maxEventBytes(8).build(recorder);
    feed(parser, "data: 123\n");
    EventStreamLimitException e = feedExpectingLimit(parser, "data: 4567\n");
    assertThat(e.limit()).isEqualTo("maxEventBytes");
    assertThat(e.limitBytes()).isEqualTo(8);
    assertThat(e.seenBytes()).isEqualTo(9); // "123\n4567\n": joining LFs count
  }

  @Test
  void aBrokenLimitIgnoresTheRestOfTheBodyUntilEndThenParsingResumesWithTheLastEventId() {
    EventStreamParser parser = EventStreamParser.builder().maxLineBytes(16).build(recorder);
    feed(parser, "id: 1\ndata: a\n\nid: 2\n");
    feedExpectingLimit(parser, "data: far too long for the limit\n\n");
    feed(parser, "data: ignored\n\n"); // the rest of that body, silently dropped
    recorder.assertMessage("a", "1").assertExhausted();
    assertThat(parser.lastEventId()).isEqualTo("1");

    parser.end();
    feed(parser, "data: b\n\n");
    recorder.assertMessage("b", "1").assertExhausted();
  }

  @Test
  void defaultLimitsAreTheDocumentedConstants() {
    assertThat(EventStreamParser.DEFAULT_MAX_LINE_BYTES).isEqualTo(32 * 1024 * 1024);
    assertThat(EventStreamParser.DEFAULT_MAX_EVENT_BYTES).isEqualTo(32 * 1024 * 1024);
    EventStreamParser parser = EventStreamParser.create(recorder);
    byte[] line = utf8("data:" + "x".repeat(EventStreamParser.DEFAULT_MAX_LINE_BYTES - 5));
    parser.feed(line, 0, line.length);
    assertThat(catchThrowableOfType(EventStreamLimitException.class, () -> parser.feed(utf8("x"), 0, 1)))
        .extracting(EventStreamLimitException::limit)
        .isEqualTo("maxLineBytes");
  }

  @Test
  void nonPositiveLimitsAreRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> EventStreamParser.builder().maxLineBytes(0))
        .withMessageContaining("maxLineBytes");
    assertThatIllegalArgumentException().isThrownBy(() -> EventStreamParser.builder().maxEventBytes(-1))
        .withMessageContaining("maxEventBytes");
  }

  private static void feed(EventStreamParser parser, String s) {
    byte[] b = utf8(s);
    parser.feed(b, 0, b.length);
  }

  private static EventStreamLimitException feedExpectingLimit(EventStreamParser parser, String s) {
    EventStreamLimitException e =
        catchThrowableOfType(EventStreamLimitException.class, () -> feed(parser, s));
    assertThat(e).as("EventStreamLimitException").isNotNull();
    return e;
  }
}
