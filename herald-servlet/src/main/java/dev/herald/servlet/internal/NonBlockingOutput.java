package dev.herald.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One response body written without blocking a thread: frames are queued from any thread and
 * written by whichever thread finds the container ready ({@link ServletOutputStream#isReady()}),
 * the caller's or the container's in {@link #onWritePossible()}. Everything queued by the time a
 * drain runs goes out before one flush, so a burst of events costs one flush per connection.
 *
 * <p>No thread ever waits for the client: when the container is not ready the frames stay queued,
 * and a caller learns from {@link #queuedBytes()} how far behind the client is.
 *
 * <p>Thread-safe. The servlet contract allows one writer at a time: the {@code draining} flag
 * elects it, and a request that arrives while another thread drains is picked up by that thread
 * ({@code drainAgain}) before it lets go.
 */
public final class NonBlockingOutput implements WriteListener {
  /** What becomes of the output: open, ending once the queue is written, or closed for good. */
  private enum State { OPEN, ENDING, CLOSED }

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final Runnable onClosed;
  private final Queue<ByteBuffer> queue = new ArrayDeque<>(); // guarded by this
  private long queuedBytes; // guarded by this
  private State state = State.OPEN; // guarded by this
  private boolean draining; // guarded by this
  private boolean drainAgain; // guarded by this
  private boolean flushPending; // drainer only

  /**
   * @param onClosed run once when the output closes, for any reason (the end written, the client
   *     gone, an error), on the thread that saw it
   */
  public NonBlockingOutput(AsyncContext async, ServletOutputStream out, Runnable onClosed) {
    this.async = async;
    this.out = out;
    this.onClosed = onClosed;
  }

  /** Starts listening; the container calls {@link #onWritePossible()} once it can take bytes. */
  public void start() {
    out.setWriteListener(this);
  }

  /**
   * Queues {@code frame} (its remaining bytes, which must not change afterwards) and writes it if
   * the container is ready. Any thread.
   *
   * @return false if the output is ending or closed: the frame was dropped
   */
  public boolean write(ByteBuffer frame) {
    synchronized (this) {
      if (state != State.OPEN) return false;
      queue.add(frame);
      queuedBytes += frame.remaining();
    }
    drain();
    return true;
  }

  /** Bytes queued but not yet taken by the container: how far behind the client is. */
  public synchronized long queuedBytes() {
    return queuedBytes;
  }

  /** Writes what is queued, then completes the response. Any thread; once. */
  public void end() {
    synchronized (this) {
      if (state != State.OPEN) return;
      state = State.ENDING;
    }
    drain();
  }

  /** Drops what is queued and closes now, as for a client too slow to wait for. Any thread. */
  public void abort() {
    synchronized (this) {
      if (state == State.CLOSED) return;
      queue.clear();
      queuedBytes = 0;
    }
    close();
  }

  public synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  @Override
  public void onWritePossible() {
    drain();
  }

  @Override
  public void onError(Throwable t) {
    close();
  }

  private void drain() {
    synchronized (this) {
      if (draining) {
        drainAgain = true;
        return;
      }
      draining = true;
    }
    try {
      while (true) {
        if (!writeWhileReady()) return; // the container calls onWritePossible when it can take more
        synchronized (this) {
          if (drainAgain) {
            drainAgain = false;
            continue;
          }
          draining = false;
          if (state == State.ENDING && queue.isEmpty()) break;
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (or the container gave up on the response): nothing more can be sent.
      synchronized (this) {
        draining = false;
      }
      close();
      return;
    }
    close();
  }

  /**
   * Writes queued frames while the container is ready, then flushes them. Returns false if it
   * stopped because the container was not ready (it then calls {@link #onWritePossible()}).
   */
  private boolean writeWhileReady() throws IOException {
    while (true) {
      ByteBuffer next;
      synchronized (this) {
        next = queue.peek();
      }
      if (next == null) {
        if (!flushPending) return true;
        if (out.isReady()) {
          flushPending = false;
          out.flush();
          continue; // a frame may have been queued meanwhile; ready is checked again before it
        }
      } else if (out.isReady()) {
        int bytes = next.remaining();
        out.write(next);
        synchronized (this) {
          queue.poll();
          queuedBytes -= bytes;
        }
        flushPending = true;
        continue;
      }
      if (stopDraining()) return false;
    }
  }

  /**
   * The container is not ready: let go of the drain, unless someone asked for one meanwhile. That
   * may be the container's own onWritePossible, which found us draining and will not come again:
   * then try once more (isReady either says yes now, or arranges another onWritePossible).
   */
  private synchronized boolean stopDraining() {
    if (drainAgain) {
      drainAgain = false;
      return false;
    }
    draining = false;
    return true;
  }

  private void close() {
    synchronized (this) {
      if (state == State.CLOSED) return;
      state = State.CLOSED;
      queue.clear();
      queuedBytes = 0;
    }
    try {
      async.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // The container ended the request first (the client went away): nothing to complete.
    }
    onClosed.run();
  }
}
