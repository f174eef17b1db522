package dev.herald.protocol;

import org.junit.jupiter.api.Test;

/**
 * Conformance section B, "interpreting lines": empty lines, comments, the name/value split and
 * which field names count. Every script runs fed whole, byte by byte and in 2-byte pieces.
 */
class ParserLineTest {
  private static final String TWO_KIB = "x".repeat(2048);

  /** Item 14. */
  @Test
  void emptyLineDispatchesTheEvent() {
    Feeding.parse("data: one\n")
        .assertExhausted(); // nothing before the empty line
    Feeding.parse("data: one\n\n").assertMessage("one", "").assertExhausted();
  }

  /** Item 15, after WPT format-comments: comments are reported but never change the event. */
  @Test
  void linesStartingWithColonAreCommentsWhateverTheyHold() {
    Feeding.parse("data:1\r"
            + ":\0\n"
            + ":\r\n"
            + "data:2\n"
            + ":" + TWO_KIB + "\r"
            + "data:3\n"
            + ":data:fail\r"
            + ": " + TWO_KIB + "\n"
            + "data:4\n\n")
        .assertComment("\0")
        .assertComment("")
        .assertComment(TWO_KIB)
        .assertComment("data:fail")
        .assertComment(TWO_KIB) // one leading space stripped, as from a value
        .assertMessage("1\n2\n3\n4", "")
        .assertExhausted();
  }

  /** Item 15: a comment-only block fires nothing. */
  @Test
  void commentOnlyBlockFiresNothing() {
    Feeding.parse(": keep-alive\n\n").assertComment("keep-alive").assertExhausted();
  }

  /** Item 16, after WPT format-leading-space. */
  @Test
  void exactlyOneLeadingSpaceIsStrippedFromTheValue() {
    Feeding.parse("data:\ttest\rdata: \rdata:test\n\n")
        .assertMessage("\ttest\n\ntest", "")
        .assertExhausted();
    Feeding.parse("event:  greeting\ndata:  Hello\n\n")
        .assertEvent(" greeting", " Hello", "")
        .assertExhausted();
    Feeding.parse("id:  7\ndata:x\n\n").assertMessage("x", " 7").assertExhausted();
  }

  /** Item 16: the name ends at the first colon; later colons belong to the value. */
  @Test
  void laterColonsStayInTheValue() {
    Feeding.parse("data: a: b:c\nid::1\nevent: :x:\n\n")
        .assertEvent(":x:", "a: b:c", ":1")
        .assertExhausted();
  }

  /** Item 17, after WPT format-field-data and format-field-id-3 ("id without colon"). */
  @Test
  void lineWithoutColonIsFieldWithEmptyValue() {
    Feeding.parse("data\n\n").assertMessage("", "").assertExhausted();
    Feeding.parse("data\ndata\n\n").assertMessage("\n", "").assertExhausted();
    Feeding.parse("id: 1\ndata:x\n\nid\ndata:y\n\n")
        .assertMessage("x", "1")
        .assertMessage("y", "")
        .assertExhausted()
        .assertLastEventId("");
    Feeding.parse("event: t\nevent\ndata:z\n\n").assertMessage("z", "").assertExhausted();
  }

  /** Item 17, after WPT format-field-retry-empty: a bare {@code retry} is ignored. */
  @Test
  void bareRetryIsIgnoredAndTheEventStillDispatches() {
    Feeding.parse("retry\ndata:w\n\n").assertMessage("w", "").assertExhausted();
  }

  /** Item 18, after WPT format-field-parsing and event-data. */
  @Test
  void fieldNamesAreComparedLiterally() {
    Feeding.parse("Data:1\n"
            + " data:2\n"
            + "data\0:3\n"
            + "da-ta:4\n"
            + "data_5:5\n"
            + "DATA:6\n"
            + "data :7\n"
            + "ID:8\n"
            + "Event:x\n"
            + "Retry:9\n"
            + "retry :9\n"
            + "data:ok\n\n")
        .assertMessage("ok", "")
        .assertExhausted();
  }

  /** Item 19, after WPT format-field-unknown. */
  @Test
  void unknownFieldsAreIgnoredAndTheRestOfTheEventStands() {
    Feeding.parse("data:1\nfoo:bar\nfalsefield\nsome text without colon\nid:5\n data:no\ndata:2\n\n")
        .assertMessage("1\n2", "5")
        .assertExhausted();
  }

  /** Item 20. */
  @Test
  void fieldOrderInsideAnEventDoesNotMatter() {
    for (String block : new String[] {
        "data:x\nid:1\nevent:t\n\n", "event:t\nid:1\ndata:x\n\n", "id:1\ndata:x\nevent:t\n\n"}) {
      Feeding.parse(block).assertEvent("t", "x", "1").assertExhausted();
    }
  }
}
