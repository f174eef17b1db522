package dev.herald.protocol;

import org.junit.jupiter.api.Test;

/**
 * Conformance section C, "field semantics": {@code event}, {@code data}, {@code id} and
 * {@code retry}. Every script runs fed whole, byte by byte and in 2-byte pieces.
 */
class ParserFieldTest {
  /** Item 21, after WPT format-field-event and format-field-event-empty. */
  @Test
  void eventSetsTheTypeLastOneWinsAndEmptyMeansMessage() {
    Feeding.parse("event:test\ndata:x\n\n").assertEvent("test", "x", "").assertExhausted();
    Feeding.parse("event:a\nevent:b\ndata:x\n\n").assertEvent("b", "x", "").assertExhausted();
    Feeding.parse("event: \ndata:x\n\n").assertMessage("x", "").assertExhausted();
    Feeding.parse("event:a\nevent:\ndata:x\n\n").assertMessage("x", "").assertExhausted();
  }

  /** Item 22, after WPT format-field-data. */
  @Test
  void dataLinesJoinWithLf() {
    Feeding.parse("data:\n\ndata\ndata\n\ndata:test\n\n")
        .assertMessage("", "")
        .assertMessage("\n", "")
        .assertMessage("test", "")
        .assertExhausted();
    Feeding.parse("data:a\ndata:\ndata:b\n\n").assertMessage("a\n\nb", "").assertExhausted();
  }

  /** Item 23, after WPT format-null-character. */
  @Test
  void nulIsLegalInData() {
    Feeding.parse("data:\0\n\ndata: a\0b\0\n\n")
        .assertMessage("\0", "")
        .assertMessage("a\0b\0", "")
        .assertExhausted();
  }

  /** Item 24, after WPT format-field-id-null: the previous id stays. */
  @Test
  void idContainingNulAnywhereIsIgnored() {
    for (String id : new String[] {"\0", "\0\0", "x\0", "\0x", "x\0x", " \0"}) {
      Feeding.parse("id:" + id + "\ndata:a\n\n").assertMessage("a", "").assertExhausted()
          .assertLastEventId("");
      Feeding.parse("id:1\ndata:a\n\nid:" + id + "\ndata:b\n\n")
          .assertMessage("a", "1")
          .assertMessage("b", "1")
          .assertExhausted()
          .assertLastEventId("1");
    }
  }

  /** Item 25, after WPT format-field-id-3 ("resets"). */
  @Test
  void emptyIdResetsTheLastEventId() {
    Feeding.parse("id:1\ndata:a\n\nid:\ndata:b\n\n")
        .assertMessage("a", "1")
        .assertMessage("b", "")
        .assertExhausted()
        .assertLastEventId("");
    Feeding.body("data:a\n\nid\n\n").with(b -> b.lastEventId("9")).parse()
        .assertMessage("a", "9")
        .assertExhausted()
        .assertLastEventId("");
  }

  /** Item 26, after WPT format-field-id. */
  @Test
  void idsAreArbitraryUnicode() {
    String long128 = "\u00e9".repeat(100) + "<>&\"' \t";
    Feeding.parse("id: \u2026\ndata:a\n\nid:\uD83D\uDE00 \u4e2d\ndata:b\n\nid:" + long128 + "\ndata:c\n\n")
        .assertMessage("a", "\u2026")
        .assertMessage("b", "\uD83D\uDE00 \u4e2d")
        .assertMessage("c", long128)
        .assertExhausted()
        .assertLastEventId(long128);
  }

  /** Item 27, after WPT format-field-retry: digits are decimal, leading zeros included. */
  @Test
  void retryOfAsciiDigitsSetsTheReconnectionTime() {
    Feeding.parse("retry:03000\nretry: 1000\nretry:0007\ndata:x\n\n")
        .assertRetry(3000)
        .assertRetry(1000)
        .assertRetry(7)
        .assertMessage("x", "")
        .assertExhausted();
  }

  /** Item 28, after WPT format-field-retry-bogus and format-field-retry-empty. */
  @Test
  void retryThatIsNotAllDigitsIsIgnored() {
    Feeding.parse("retry:3000\n"
            + "retry:1000x\n"
            + "retry:\n"
            + "retry\n"
            + "retry:-1\n"
            + "retry:+5\n"
            + "retry:1.5\n"
            + "retry:1e3\n"
            + "retry:  1000\n"
            + "retry:1000 \n"
            + "retry:\uff11\n" // a full-width digit is not an ASCII digit
            + "data:x\n\n")
        .assertRetry(3000)
        .assertMessage("x", "")
        .assertExhausted();
  }

  /** Item 29: applied when read, even without dispatch, and it outlives the body. */
  @Test
  void retryTakesEffectWhenReadEvenIfItsEventIsNeverDispatched() {
    Feeding.body("retry: 500\n\nretry: 700\nevent: x\ndata: cut off")
        .thenEnd()
        .thenBody("data: next\n\n")
        .parse()
        .assertRetry(500)
        .assertRetry(700)
        .assertMessage("next", "")
        .assertExhausted();
  }

  /** Item 30: no overflow and no exception, whatever the digits; 0 is valid. */
  @Test
  void hugeRetryIsClampedAndZeroIsValid() {
    long max = EventStreamParser.MAX_RETRY_MILLIS;
    Feeding.parse("retry: 0\n"
            + "retry: " + max + "\n"
            + "retry: " + (max + 1) + "\n"
            + "retry: 99999999999999999999\n"
            + "retry: " + "9".repeat(1000) + "\n"
            + "retry: " + Long.MAX_VALUE + "\n")
        .assertRetry(0)
        .assertRetry(max)
        .assertRetry(max)
        .assertRetry(max)
        .assertRetry(max)
        .assertRetry(max)
        .assertExhausted();
  }
}
