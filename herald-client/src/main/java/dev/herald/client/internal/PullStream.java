package dev.herald.client.internal;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.client.MessageStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pull style: a bounded buffer between the reading thread and the consumer. When it is full
 * the reader blocks, stops reading the socket, and TCP flow control slows the server down.
 */
final class PullStream implements MessageStream {
  private final RealEventSource source;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<MessageEvent> buffer = new ArrayDeque<>();
  private boolean ended; // guarded by lock

  PullStream(RealEventSource source, int capacity) {
    this.source = source;
    this.capacity = capacity;
  }

  @Override
  public EventSource source() {
    return source;
  }

  /**
   * On the reading thread: adds the events in order, waiting for room whenever the buffer is
   * full; returns at once once the stream ended.
   */
  void putAll(List<MessageEvent> events) {
    if (events.isEmpty()) return;
    boolean interrupted = false;
    lock.lock();
    try {
      for (MessageEvent event : events) {
        while (buffer.size() >= capacity && !ended) {
          try {
            notFull.await();
          } catch (InterruptedException e) {
            interrupted = true; // restart or close: keep the events unless the stream ended
          }
        }
        if (ended) return;
        buffer.addLast(event);
        if (buffer.size() == 1) notEmpty.signal();
      }
    } finally {
      lock.unlock();
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /** No more events: after close() the buffered ones are dropped, after a failure they stay. */
  void end(boolean dropBuffered) {
    lock.lock();
    try {
      ended = true;
      if (dropBuffered) buffer.clear();
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasNext() {
    lock.lock();
    try {
      while (buffer.isEmpty() && !ended) notEmpty.await();
      return !buffer.isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public MessageEvent next() {
    lock.lock();
    try {
      if (!hasNext()) throw new NoSuchElementException("the event source is closed");
      return take();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public MessageEvent poll(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (buffer.isEmpty() && !ended) {
        if (nanos <= 0) return null;
        nanos = notEmpty.awaitNanos(nanos);
      }
      return buffer.isEmpty() ? null : take();
    } finally {
      lock.unlock();
    }
  }

  private MessageEvent take() {
    MessageEvent event = buffer.pollFirst();
    // Wake the reader only once half the buffer is free: one wake-up per batch, not per event.
    if (buffer.size() <= capacity / 2) notFull.signal();
    return event;
  }

  @Override
  public void close() {
    source.close();
  }

  @Override
  public String toString() {
    return "MessageStream{" + source + "}";
  }
}
