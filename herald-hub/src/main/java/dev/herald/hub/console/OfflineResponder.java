package dev.herald.hub.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The chat demo's built-in responder: no model and no network. It composes a deterministic reply
 * from the message and streams it a few characters at a time, the way a language model's tokens
 * arrive, with {@code tokenDelay} between them.
 */
public final class OfflineResponder implements ChatResponder {
  /** Default pause between tokens: quick enough to read as typing, slow enough to see it stream. */
  public static final Duration DEFAULT_TOKEN_DELAY = Duration.ofMillis(45);
  /** The longest piece of the message quoted back. */
  static final int MAX_QUOTED_CHARS = 160;
  private static final int MAX_TOKEN_CHARS = 4;

  private final Duration tokenDelay;
  private final ScheduledExecutorService timer;

  public OfflineResponder() {
    this(DEFAULT_TOKEN_DELAY);
  }

  public OfflineResponder(Duration tokenDelay) {
    if (tokenDelay.isNegative()) throw new IllegalArgumentException("tokenDelay must not be negative: " + tokenDelay);
    this.tokenDelay = tokenDelay;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "herald-chat-offline");
      t.setDaemon(true);
      return t;
    });
  }

  /** The whole reply to {@code message}, as {@link #respond} streams it. */
  public static String reply(String message) {
    String m = message.strip().replaceAll("\\s+", " ");
    if (m.length() > MAX_QUOTED_CHARS) m = m.substring(0, MAX_QUOTED_CHARS) + "…";
    return "You said: “" + m + "”. This reply is the built-in offline responder, streamed to you one token "
        + "at a time over Server-Sent Events. Each token is an event in this reply's topic, with an id, so "
        + "if you reload the page now it picks up from the last id it saw: nothing lost, nothing repeated. "
        + "Start the hub with --chat-upstream to relay a real model instead.";
  }

  /** {@code text} cut the way {@link #respond} streams it: words, long ones in short pieces. */
  static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int end = i;
      while (end < text.length() && text.charAt(end) == ' ') end++;
      int wordEnd = end;
      while (wordEnd < text.length() && text.charAt(wordEnd) != ' ') wordEnd++;
      // A leading space belongs to the word, as in most model tokenisers.
      int next = Math.min(wordEnd, Math.max(end + MAX_TOKEN_CHARS, i + 1));
      if (next < text.length() && Character.isLowSurrogate(text.charAt(next))) next++;
      tokens.add(text.substring(i, next));
      i = next;
    }
    return tokens;
  }

  @Override
  public Reply respond(String message, Sink sink) {
    Objects.requireNonNull(sink, "sink");
    List<String> tokens = tokens(reply(message));
    Streaming s = new Streaming(tokens, sink);
    s.next();
    return s::cancel;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** One reply: each step sends a token and schedules the next, all on the timer thread. */
  private final class Streaming {
    private final List<String> tokens;
    private final Sink sink;
    private int position;
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> pending;

    Streaming(List<String> tokens, Sink sink) {
      this.tokens = tokens;
      this.sink = sink;
    }

    void next() {
      pending = timer.schedule(this::step, tokenDelay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void step() {
      if (cancelled) return;
      if (position == tokens.size()) {
        sink.onDone();
        return;
      }
      sink.onToken(tokens.get(position++));
      next();
    }

    void cancel() {
      cancelled = true;
      ScheduledFuture<?> p = pending;
      if (p != null) p.cancel(false);
    }
  }
}
