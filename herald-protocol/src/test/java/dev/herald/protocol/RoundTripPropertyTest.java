package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Whatever {@link EventEncoder} writes, {@link EventStreamParser} reads back: any event survives
 * the round trip, up to what the wire cannot carry (CR and CRLF in data and comments come back as
 * LF; lone surrogates as U+FFFD).
 */
class RoundTripPropertyTest {
  @Property
  void anyEventRoundTripsThroughEncoderAndParser(@ForAll("events") Event event) {
    Recorder recorder = new Recorder();
    EventStreamParser parser = EventStreamParser.builder().lastEventId("before").build(recorder);
    byte[] frame = EventEncoder.encode(event);
    parser.feed(frame, 0, frame.length);

    assertThat(recorder.calls()).isEqualTo(expectedCalls(event, "before"));
    assertThat(parser.lastEventId()).isEqualTo(event.id() == null ? "before" : wire(event.id()));
  }

  @Property(tries = 300)
  void anySequenceOfEventsRoundTripsWhateverTheReads(
      @ForAll @Size(max = 8) List<@From("events") Event> events, @ForAll Random random) {
    List<Recorder.Call> expected = new ArrayList<>();
    String lastEventId = "";
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (Event event : events) {
      expected.addAll(expectedCalls(event, lastEventId));
      if (event.id() != null) lastEventId = wire(event.id());
      stream.writeBytes(EventEncoder.encode(event));
    }

    Recorder recorder = new Recorder();
    EventStreamParser parser = EventStreamParser.create(recorder);
    Chunks.feedRandomly(parser, stream.toByteArray(), random);

    assertThat(recorder.calls()).isEqualTo(expected);
    assertThat(parser.lastEventId()).isEqualTo(lastEventId);
  }

  @Provide
  Arbitrary<Event> events() {
    Arbitrary<String> id = fieldText().injectNull(0.3);
    Arbitrary<String> type = fieldText().injectNull(0.4);
    Arbitrary<String> data = text().injectNull(0.2);
    Arbitrary<Duration> retry =
        Arbitraries.oneOf(
                Arbitraries.longs().between(0, 100_000),
                Arbitraries.longs().between(0, Long.MAX_VALUE))
            .map(Duration::ofMillis)
            .injectNull(0.7);
    Arbitrary<List<String>> comments = text().list().ofMaxSize(3);
    return Combinators.combine(id, type, data, retry, comments)
        .as((i, t, d, r, c) -> {
          Event.Builder b = Event.builder().id(i).type(t).data(d).retry(r);
          c.forEach(b::comment);
          return b;
        })
        .map(RoundTripPropertyTest::buildOrComment);
  }

  /** An event with nothing in it cannot be built; make it a comment-only frame instead. */
  private static Event buildOrComment(Event.Builder b) {
    try {
      return b.build();
    } catch (IllegalStateException e) {
      return Event.comment("");
    }
  }

  /** Any text, weighted towards what matters to the wire: line breaks, NUL, spaces, colons, surrogates. */
  static Arbitrary<String> text() {
    Arbitrary<String> any = Arbitraries.strings()
        .withCharRange('\u0000', '\uffff')
        .withChars('\r', '\n', '\0', ' ', ':', 'a', '\u00e9', '\u2026', '\uD83D', '\uDE00', '\uFEFF')
        .ofMaxLength(40);
    Arbitrary<String> tricky = Arbitraries.of("", " ", "\r\n", "\r", "\n", "\n\r", " \r\n ", "\uD800");
    return Arbitraries.frequencyOf(Tuple.of(9, any), Tuple.of(1, tricky));
  }

  /** Text valid in an id or a type: no CR, LF or NUL. */
  static Arbitrary<String> fieldText() {
    return text().map(s -> s.replace('\r', '_').replace('\n', '_').replace('\0', '_'));
  }

  /** The callbacks a parser should report for one encoded frame, given the last event id so far. */
  static List<Recorder.Call> expectedCalls(Event event, String lastEventId) {
    List<Recorder.Call> calls = new ArrayList<>();
    for (String comment : event.comments()) {
      for (String line : lines(comment)) calls.add(new Recorder.OnComment(wire(line)));
    }
    if (event.retry() != null) {
      long millis = event.retry().toMillis();
      calls.add(new Recorder.OnRetry(Math.min(millis, EventStreamParser.MAX_RETRY_MILLIS)));
    }
    if (event.data() != null) {
      String type = event.type() == null ? "message" : wire(event.type());
      String id = event.id() == null ? lastEventId : wire(event.id());
      calls.add(new Recorder.OnEvent(type, wire(String.join("\n", lines(event.data()))), id));
    }
    return calls;
  }

  /** Splits on CRLF, CR or LF, as a stream parser does. */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        lines.add(text.substring(start, i));
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
        start = i + 1;
      }
    }
    lines.add(text.substring(start));
    return lines;
  }

  /** The text as it comes back from UTF-8: lone surrogates become U+FFFD. */
  static String wire(String text) {
    StringBuilder s = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair = Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        s.append(c).append(text.charAt(++i));
      } else {
        s.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return s.toString();
  }
}
