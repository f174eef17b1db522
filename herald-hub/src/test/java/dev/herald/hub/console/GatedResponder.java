package dev.herald.hub.console;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The offline reply, with a gate: the first {@link #BEFORE_GATE} tokens at once, the rest once the
 * test calls {@link #open()}. A cut made while it waits is mid-reply by construction, not by timing.
 */
final class GatedResponder implements ChatResponder {
  static final int BEFORE_GATE = 12;

  private final CountDownLatch gate = new CountDownLatch(1);
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();

  void open() {
    gate.countDown();
  }

  boolean waiting() {
    return waiting.get() > 0;
  }

  int started() {
    return started.get();
  }

  @Override
  public Reply respond(String message, Sink sink) {
    started.incrementAndGet();
    List<String> tokens = OfflineResponder.tokens(OfflineResponder.reply(message));
    Thread t = new Thread(() -> {
      try {
        for (int i = 0; i < tokens.size(); i++) {
          if (i == BEFORE_GATE && gate.getCount() > 0) {
            waiting.incrementAndGet();
            try {
              if (!gate.await(30, TimeUnit.SECONDS)) return;
            } finally {
              waiting.decrementAndGet();
            }
          }
          sink.onToken(tokens.get(i));
        }
        sink.onDone();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "gated-responder");
    t.setDaemon(true);
    t.start();
    return t::interrupt;
  }
}
