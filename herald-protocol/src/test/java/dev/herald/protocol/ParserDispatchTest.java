package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Conformance section D, "dispatching an event", as far as the parser is concerned: what it
 * reports on each empty line and at the end of a body. Items tagged [C] are tested for their
 * parser-side part; the client module tests the rest. Every script runs fed whole, byte by byte
 * and in 2-byte pieces.
 */
class ParserDispatchTest {
  /** Item 31: the id buffer is published at dispatch and not cleared afterwards. */
  @Test
  void dispatchPublishesTheIdWhichSticksUntilSetAgain() {
    Feeding.parse("id: 1\ndata:a\n\ndata:b\n\ndata:c\n\nid: 2\ndata:d\n\n")
        .assertMessage("a", "1")
        .assertMessage("b", "1")
        .assertMessage("c", "1")
        .assertMessage("d", "2")
        .assertExhausted()
        .assertLastEventId("2");
  }

  /** Item 31: the id is published only at the empty line, not when its field is read. */
  @Test
  void idIsNotPublishedBeforeItsBlockEnds() {
    Feeding.parse("id: 1\ndata:a\n").assertExhausted().assertLastEventId("");
  }

  /** Item 32: empty data fires nothing, but an id-only block still moves the last event id. */
  @Test
  void blockWithoutDataFiresNothingButItsIdIsPublished() {
    Feeding.parse("event: x\n\n: comment\n\nid: 7\n\n")
        .assertComment("comment")
        .assertExhausted()
        .assertLastEventId("7");
    // The type of a data-less block does not leak into the next event.
    Feeding.parse("event: x\n\ndata: y\n\n").assertMessage("y", "").assertExhausted();
  }

  /** Item 33: one trailing LF is removed, and only one. */
  @Test
  void onlyOneTrailingLfIsRemovedFromTheData() {
    Feeding.parse("data:a\ndata\n\n").assertMessage("a\n", "").assertExhausted();
    Feeding.parse("data:a\ndata\ndata\n\n").assertMessage("a\n\n", "").assertExhausted();
  }

  /** Item 34 (parser part): type, data and the last event id as the event is created. */
  @Test
  void eventCarriesTypeOrMessageDataAndLastEventId() {
    Feeding.parse("data:a\n\nevent:t\nid:1\ndata:b\n\n")
        .assertEvent("message", "a", "")
        .assertEvent("t", "b", "1")
        .assertExhausted();
  }

  /** Item 35 (parser part), after WPT format-field-id-3 ("persists"). */
  @Test
  void eventWithoutIdCarriesThePersistedLastEventId() {
    Feeding.body("id: 1\ndata:a\n\ndata:b\n\n")
        .thenEnd()
        .thenBody("data:c\n\n")
        .parse()
        .assertMessage("a", "1")
        .assertMessage("b", "1")
        .assertMessage("c", "1")
        .assertExhausted();
    // A client resuming with Last-Event-ID seeds the parser, as if the earlier body had set it.
    Feeding.body("data:a\n\n").with(b -> b.lastEventId("42")).parse()
        .assertMessage("a", "42")
        .assertExhausted()
        .assertLastEventId("42");
  }

  /** Item 36: data and type are cleared after dispatch; the id is not. */
  @Test
  void dispatchClearsDataAndTypeButNotTheId() {
    Feeding.parse("id:1\nevent:t\ndata:a\n\ndata:b\n\n")
        .assertEvent("t", "a", "1")
        .assertEvent("message", "b", "1")
        .assertExhausted();
  }

  /**
   * Item 37 (parser part): events are delivered synchronously inside the {@code feed} call that
   * completes them, so once a client closes nothing is queued inside the parser to arrive later.
   */
  @Test
  void eventsAreDeliveredWithinTheFeedCallThatCompletesThem() {
    Recorder recorder = new Recorder();
    EventStreamParser parser = EventStreamParser.create(recorder);
    byte[] two = "data:a\n\ndata:b\n\ndata:c".getBytes(StandardCharsets.UTF_8);
    parser.feed(two, 0, two.length);
    recorder.assertMessage("a", "").assertMessage("b", "").assertExhausted();
    parser.end();
    recorder.assertExhausted();
  }

  /** Item 38 (parser part): the type is reported verbatim so a client can route on it. */
  @Test
  void namedEventsKeepTheirTypeAndExplicitMessageIsTheDefaultType() {
    Feeding.parse("event:test\ndata:1\n\nevent:message\ndata:2\n\nevent:Message\ndata:3\n\n")
        .assertEvent("test", "1", "")
        .assertEvent("message", "2", "")
        .assertEvent("Message", "3", "")
        .assertExhausted();
  }

  /** Item 39 (parser part): these are ordinary event types to the parser. */
  @Test
  void serverSentOpenAndErrorEventsAreOrdinaryTypes() {
    Feeding.parse("event: open\ndata:1\n\nevent: error\ndata:2\n\n")
        .assertEvent("open", "1", "")
        .assertEvent("error", "2", "")
        .assertExhausted();
  }

  /** Item 40, after WPT format-data-before-final-empty-line: data, type and id are all dropped. */
  @Test
  void endOfBodyDiscardsThePartialEventWithItsId() {
    Feeding.body("id: 1\ndata:a\n\nid: 2\nevent: t\ndata:cut\n")
        .thenEnd()
        .thenBody("data:b\n\n")
        .parse()
        .assertMessage("a", "1")
        .assertMessage("b", "1")
        .assertExhausted()
        .assertLastEventId("1");
    Feeding.body("id: 5\ndata: x").thenEnd().parse().assertExhausted().assertLastEventId("");
  }

  /**
   * Item 41 (parser part): the parser creates no event objects and no lifecycle events; it reports
   * exactly the three callbacks, each with complete values, never null.
   */
  @Test
  void parserReportsOnlyEventRetryAndCommentCallbacksWithNonNullValues() {
    Feeding.Parsed parsed = Feeding.parse("data\n\n:\n\nretry:1\n\nid\n\n");
    assertThat(parsed.recorder().calls())
        .containsExactly(
            new Recorder.OnEvent("message", "", ""),
            new Recorder.OnComment(""),
            new Recorder.OnRetry(1));
  }
}
