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
 * The pull style: a bounded buffer between the body and the consumer. When it fills up, the body
 * is paused (no more is requested from the HttpClient, so TCP slows the server down) until the
 * consumer has taken half of it. No thread blocks on the producing side.
 */
final class PullStream implements MessageStream {
  private final RealEventSource source;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<MessageEvent> buffer = new ArrayDeque<>();
  private Runnable resume; // guarded by lock: resumes a paused body
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
   * On the HttpClient's thread: adds what one read produced, never blocking. Returns false when
   * the buffer is now full: the caller pauses its body and {@code resume} runs once the consumer
   * has taken half of it. The buffer thus holds at most {@code capacity} events plus one read's.
   */
  boolean offerAll(List<MessageEvent> events, Runnable resume) {
    lock.lock();
    try {
      if (ended) return true; // the connection is being closed anyway
      buffer.addAll(events);
      if (!events.isEmpty()) notEmpty.signal();
      if (buffer.size() < capacity) return true;
      this.resume = resume;
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** No more events: after close() the buffered ones are dropped, after a failure they stay. */
  void end(boolean dropBuffered) {
    lock.lock();
    try {
      ended = true;
      resume = null;
      if (dropBuffered) buffer.clear();
      notEmpty.signalAll();
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
    if (!hasNext()) throw new NoSuchElementException("the event source is closed");
    MessageEvent event = takeOrNull();
    if (event == null) throw new NoSuchElementException("the event source is closed");
    return event;
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
    } finally {
      lock.unlock();
    }
    return takeOrNull();
  }

  /** Takes the first event; resumes a paused body once half the buffer is free. */
  private MessageEvent takeOrNull() {
    MessageEvent event;
    Runnable r = null;
    lock.lock();
    try {
      event = buffer.pollFirst();
      if (resume != null && buffer.size() <= capacity / 2) {
        r = resume;
        resume = null;
      }
    } finally {
      lock.unlock();
    }
    // Outside the lock: the HttpClient may deliver the next buffers on this very thread.
    if (r != null) r.run();
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
