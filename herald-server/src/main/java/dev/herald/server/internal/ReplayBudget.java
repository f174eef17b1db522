package dev.herald.server.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The bytes every replay of a broker may hold at once: a stream reserves a page's bytes before it
 * reads it and gives them back once the page is written. A stream that finds the budget spent waits
 * its turn (first come, first served) and is called back on its own loop: it never fails for lack
 * of budget, and nothing on a loop ever waits. Thread-safe: streams on every loop share it.
 */
final class ReplayBudget {
  private record Waiter(long bytes, Executor loop, Runnable granted) {}

  private final long limitBytes;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private long heldBytes;
  private long peakBytes;
  private long waits;

  ReplayBudget(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /**
   * Reserves {@code bytes}, then runs {@code granted}: at once on the calling thread (the stream's
   * loop) if they fit, else later through {@code loop}. A reservation larger than the whole budget
   * is granted when nothing else is held, so it still goes through, alone.
   */
  void acquire(long bytes, Executor loop, Runnable granted) {
    synchronized (this) {
      if (!waiting.isEmpty() || !fits(bytes)) {
        waiting.addLast(new Waiter(bytes, loop, granted));
        waits++;
        return;
      }
      hold(bytes);
    }
    granted.run();
  }

  /**
   * Adds {@code bytes} to what is held without waiting: a page larger than its reservation (one
   * event over the page bound) is already in memory, and counting it is all that is left to do.
   */
  synchronized void grow(long bytes) {
    hold(bytes);
  }

  /** Gives {@code bytes} back and lets the streams waiting in front of the queue go on, in order. */
  void release(long bytes) {
    if (bytes == 0) return;
    List<Waiter> granted = new ArrayList<>();
    synchronized (this) {
      heldBytes -= bytes;
      while (!waiting.isEmpty() && fits(waiting.peekFirst().bytes)) {
        Waiter w = waiting.pollFirst();
        hold(w.bytes);
        granted.add(w);
      }
    }
    for (Waiter w : granted) {
      try {
        w.loop.execute(w.granted);
      } catch (RejectedExecutionException e) {
        release(w.bytes); // the loop stopped: its streams are gone
      }
    }
  }

  /** Bytes held now. */
  synchronized long heldBytes() {
    return heldBytes;
  }

  /** The most bytes ever held at once: never above the limit unless one page alone was. */
  synchronized long peakBytes() {
    return peakBytes;
  }

  /** Reservations that had to wait since the start. */
  synchronized long waits() {
    return waits;
  }

  long limitBytes() {
    return limitBytes;
  }

  /** Streams waiting for budget now. */
  synchronized int waiting() {
    return waiting.size();
  }

  private boolean fits(long bytes) {
    return heldBytes == 0 || heldBytes + bytes <= limitBytes;
  }

  private void hold(long bytes) {
    heldBytes += bytes;
    peakBytes = Math.max(peakBytes, heldBytes);
  }
}
