package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs one parser script three times, feeding every body whole, byte by byte and in 2-byte pieces,
 * and asserts that all three runs record the same callbacks and end with the same last event id.
 * Chunk boundaries must never change what a stream means (conformance items 3, 6, 10, 11, 12).
 */
final class Feeding {
  /** How one run cuts each body into {@code feed} calls. */
  enum Cut {
    WHOLE(Integer.MAX_VALUE),
    BYTE_BY_BYTE(1),
    TWO_BYTE_PIECES(2);

    final int pieceBytes;

    Cut(int pieceBytes) {
      this.pieceBytes = pieceBytes;
    }
  }

  /** What a script produced: the recorder (of the whole-body run) and the final last event id. */
  record Parsed(Recorder recorder, String lastEventId) {
    Parsed assertEvent(String type, String data, String lastEventId) {
      recorder.assertEvent(type, data, lastEventId);
      return this;
    }

    Parsed assertMessage(String data, String lastEventId) {
      recorder.assertMessage(data, lastEventId);
      return this;
    }

    Parsed assertRetry(long millis) {
      recorder.assertRetry(millis);
      return this;
    }

    Parsed assertComment(String comment) {
      recorder.assertComment(comment);
      return this;
    }

    Parsed assertExhausted() {
      recorder.assertExhausted();
      return this;
    }

    Parsed assertLastEventId(String expected) {
      assertThat(lastEventId).as("lastEventId()").isEqualTo(expected);
      return this;
    }
  }

  private final List<byte[]> steps = new ArrayList<>(); // a body, or null for end()
  private UnaryOperator<EventStreamParser.Builder> setup = b -> b;

  private Feeding() {}

  /** A script whose first body is {@code body} in UTF-8. */
  static Feeding body(String body) {
    return body(utf8(body));
  }

  static Feeding body(byte[] body) {
    return new Feeding().thenBody(body);
  }

  /** Parses {@code body} (UTF-8) without calling {@code end()} after it. */
  static Parsed parse(String body) {
    return body(body).parse();
  }

  static Parsed parse(byte[] body) {
    return body(body).parse();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
    return b;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  Feeding with(UnaryOperator<EventStreamParser.Builder> setup) {
    this.setup = setup;
    return this;
  }

  /** More bytes of the same body. */
  Feeding thenBody(String more) {
    return thenBody(utf8(more));
  }

  Feeding thenBody(byte[] more) {
    steps.add(more);
    return this;
  }

  /** The body ends ({@code end()}); a following body is a new response. */
  Feeding thenEnd() {
    steps.add(null);
    return this;
  }

  Parsed parse() {
    Parsed whole = run(Cut.WHOLE);
    for (Cut cut : List.of(Cut.BYTE_BY_BYTE, Cut.TWO_BYTE_PIECES)) {
      Parsed other = run(cut);
      assertThat(other.recorder().calls())
          .as("callbacks when fed %s, compared with fed whole", cut)
          .isEqualTo(whole.recorder().calls());
      assertThat(other.lastEventId())
          .as("lastEventId() when fed %s, compared with fed whole", cut)
          .isEqualTo(whole.lastEventId());
    }
    return whole;
  }

  /** One run, for tests that look at a single way of cutting. */
  Parsed run(Cut cut) {
    Recorder recorder = new Recorder();
    EventStreamParser parser = setup.apply(EventStreamParser.builder()).build(recorder);
    for (byte[] step : steps) {
      if (step == null) {
        parser.end();
        continue;
      }
      for (int at = 0; at < step.length; at += cut.pieceBytes) {
        parser.feed(step, at, Math.min(cut.pieceBytes, step.length - at));
      }
    }
    return new Parsed(recorder, parser.lastEventId());
  }
}
