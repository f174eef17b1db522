package dev.herald.sqlite;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The hand-off from publishers to the writer thread. Closing is atomic with respect to offers: once
 * {@link #close()} returns, no task can slip in behind the {@link WriteTask.Stop} it queued, so
 * every accepted task is either written or failed, never forgotten.
 */
final class AppendQueue {
  enum Offer { ACCEPTED, CLOSED, FULL }

  private final LinkedBlockingQueue<WriteTask> queue = new LinkedBlockingQueue<>();
  // Publishers share the read side; close takes the write side to shut the door.
  private final ReentrantReadWriteLock door = new ReentrantReadWriteLock();
  private final int capacity;
  private boolean closed; // guarded by door

  AppendQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Queues {@code task} unless the queue is closed or holds {@code capacity} tasks (approximately). */
  Offer offer(WriteTask task) {
    door.readLock().lock();
    try {
      if (closed) return Offer.CLOSED;
      if (queue.size() >= capacity) return Offer.FULL;
      queue.add(task);
      return Offer.ACCEPTED;
    } finally {
      door.readLock().unlock();
    }
  }

  /** Refuses further offers and queues a {@link WriteTask.Stop}; false if it was already closed. */
  boolean close() {
    door.writeLock().lock();
    try {
      if (closed) return false;
      closed = true;
      queue.add(new WriteTask.Stop());
      return true;
    } finally {
      door.writeLock().unlock();
    }
  }

  /** Refuses further offers and returns whatever is still queued (the writer's last act). */
  List<WriteTask> closeAndDrain() {
    door.writeLock().lock();
    try {
      closed = true;
      List<WriteTask> rest = new ArrayList<>();
      queue.drainTo(rest);
      return rest;
    } finally {
      door.writeLock().unlock();
    }
  }

  /** Waits up to {@code nanos} for a task; null if none came. */
  WriteTask poll(long nanos) throws InterruptedException {
    return queue.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Moves up to {@code max} queued tasks, oldest first, into {@code into}. */
  void drainTo(List<WriteTask> into, int max) {
    queue.drainTo(into, max);
  }
}
