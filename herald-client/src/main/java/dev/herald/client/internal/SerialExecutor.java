package dev.herald.client.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on any executor. The reader only appends to a
 * queue; one drain task at a time empties it, so a burst of events costs one hand-off, not one per
 * event. Tasks must not throw.
 */
final class SerialExecutor implements Executor {
  /** Tasks run per drain before giving a shared executor's thread back. */
  private static final int BATCH = 4096;

  private final Executor delegate;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    queue.add(task);
    if (scheduled.compareAndSet(false, true)) submitDrain();
  }

  private void submitDrain() {
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The caller's executor was shut down: run here so ordering and completion still hold.
      drain();
    }
  }

  private void drain() {
    try {
      for (int i = 0; i < BATCH; i++) {
        Runnable task = queue.poll();
        if (task == null) break;
        task.run();
      }
    } finally {
      scheduled.set(false);
      if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) submitDrain();
    }
  }
}
