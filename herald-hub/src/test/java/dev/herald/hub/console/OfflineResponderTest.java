package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The built-in responder: deterministic, bounded, streamed in small tokens, cancellable. */
class OfflineResponderTest {
  /** Records a reply's calls in order: tokens as themselves, then "<done>" or "<error: ...>". */
  static final class Recorder implements ChatResponder.Sink {
    final BlockingQueue<String> calls = new LinkedBlockingQueue<>();

    @Override
    public void onToken(String token) {
      calls.add(token);
    }

    @Override
    public void onDone() {
      calls.add("<done>");
    }

    @Override
    public void onError(String reason) {
      calls.add("<error: " + reason + ">");
    }

    String take() throws InterruptedException {
      String c = calls.poll(10, TimeUnit.SECONDS);
      if (c == null) throw new AssertionError("no call within 10 s");
      return c;
    }

    /** The tokens up to the end, joined; fails if the reply ends otherwise. */
    String text() throws InterruptedException {
      StringBuilder b = new StringBuilder();
      for (String c = take(); !c.equals("<done>"); c = take()) {
        if (c.startsWith("<error")) throw new AssertionError(c);
        b.append(c);
      }
      return b.toString();
    }
  }

  @Test
  void streamsTheWholeReplyInSmallTokensThenEnds() throws Exception {
    try (OfflineResponder responder = new OfflineResponder(Duration.ZERO)) {
      Recorder r = new Recorder();
      responder.respond("  What is   Herald? ", r);
      assertThat(r.text()).isEqualTo(OfflineResponder.reply("What is Herald?"))
          .startsWith("You said: “What is Herald?”.");
      assertThat(OfflineResponder.tokens(OfflineResponder.reply("hi"))).hasSizeGreaterThan(40)
          .allSatisfy(t -> assertThat(t.strip().length()).isBetween(1, 4));
      assertThat(r.calls).isEmpty();
    }
  }

  @Test
  void aLongMessageIsQuotedOnlyInPart() {
    String reply = OfflineResponder.reply("x".repeat(10_000));
    assertThat(reply).contains("x".repeat(OfflineResponder.MAX_QUOTED_CHARS) + "…").hasSizeLessThan(700);
  }

  @Test
  void tokensJoinBackIntoTheTextWhateverItHolds() {
    for (String text : new String[] {"", "a", "  two  spaces ", "Server-Sent Events", "emoji 😀😀😀 ok"}) {
      assertThat(String.join("", OfflineResponder.tokens(text))).isEqualTo(text);
    }
  }

  @Test
  void aCancelledReplyStops() throws Exception {
    try (OfflineResponder responder = new OfflineResponder(Duration.ofMillis(20))) {
      Recorder r = new Recorder();
      ChatResponder.Reply reply = responder.respond("hello", r);
      r.take();
      reply.cancel();
      // After cancel at most one call already under way can follow; the end never comes.
      Recorder other = new Recorder();
      responder.respond("after", other);
      other.text();
      assertThat(r.calls).hasSizeLessThanOrEqualTo(1).doesNotContain("<done>");
    }
  }
}
