package dev.herald.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One response body written without blocking a thread: frames are queued from any thread, and a
 * {@link #flush()} writes them from whichever thread finds the container ready
 * ({@link ServletOutputStream#isReady()}), the caller's or the container's in
 * {@link #onWritePossible()}. Everything queued by the time a drain runs goes out before one
 * container flush, so a burst of events costs one flush per connection.
 *
 * <p>No thread ever waits for the client: when the container is not ready the frames stay queued,
 * and {@link #queuedBytes()} says how far behind the client is.
 *
 * <p>Thread-safe. The servlet contract allows one writer at a time: the {@code draining} flag
 * elects it, and a request that arrives while another thread drains is picked up by that thread
 * ({@code drainAgain}) before it lets go.
 */
public final class NonBlockingOutput implements WriteListener {
  /** What the output does next; the legal moves are NEW → OPEN → ENDING → CLOSED, and any → CLOSED. */
  private enum State {
    /** Frames queue; nothing is written until {@link #start()} installs the write listener. */
    NEW,
    OPEN,
    /** No more frames; the queue is written, then the response completes. */
    ENDING,
    CLOSED
  }

  /** What the output tells its owner; called on whichever thread saw it, never while holding a lock. */
  public interface Listener {
    /** The queue was written out entirely (frames queued later may already be waiting again). */
    void drained();

    /** The output closed, for any reason: the end written, the client gone, an error. Once. */
    void closed();
  }

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final Listener listener;
  private final Queue<ByteBuffer> queue = new ArrayDeque<>(); // guarded by this
  private long queuedBytes; // guarded by this
  private State state = State.NEW; // guarded by this
  private boolean draining; // guarded by this
  private boolean drainAgain; // guarded by this
  private boolean flushPending; // drainer only

  public NonBlockingOutput(AsyncContext async, ServletOutputStream out, Listener listener) {
    this.async = async;
    this.out = out;
    this.listener = listener;
  }

  /**
   * Installs the write listener (call it on the container's thread, in the request's dispatch);
   * the container then calls {@link #onWritePossible()}, which writes what is queued.
   */
  public void start() {
    synchronized (this) {
      if (state == State.NEW) state = State.OPEN;
    }
    // The container's view of the request's end: a client gone (onError) must complete the
    // request here, or the container dispatches it to the application's error page, which then
    // tries to render an error onto an event stream.
    async.addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        close();
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        close();
      }

      @Override
      public void onError(AsyncEvent event) {
        close();
      }

      @Override
      public void onStartAsync(AsyncEvent event) {}
    });
    out.setWriteListener(this);
  }

  /**
   * Queues {@code frame} (its remaining bytes, which must not change afterwards); it goes out at the
   * next {@link #flush()}. Any thread.
   *
   * @return false if the output is ending or closed: the frame was dropped
   */
  public boolean write(ByteBuffer frame) {
    synchronized (this) {
      if (state != State.NEW && state != State.OPEN) return false;
      queue.add(frame);
      queuedBytes += frame.remaining();
    }
    return true;
  }

  /** Writes what is queued, as far as the container takes it now, and flushes it. Any thread. */
  public void flush() {
    drain();
  }

  /** Bytes queued but not yet taken by the container: how far behind the client is. */
  public synchronized long queuedBytes() {
    return queuedBytes;
  }

  /** Writes what is queued, then completes the response. Any thread; once. */
  public void end() {
    synchronized (this) {
      if (state == State.ENDING || state == State.CLOSED) return;
      state = State.ENDING;
    }
    drain();
  }

  /** Drops what is queued and closes now, as for a client too slow to wait for. Any thread. */
  public void abort() {
    close();
  }

  public synchronized boolean isOpen() {
    return state == State.NEW || state == State.OPEN;
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
      // Before start() the container is not in non-blocking mode yet: its first onWritePossible drains.
      if (state == State.NEW || state == State.CLOSED) return;
      if (draining) {
        drainAgain = true;
        return;
      }
      draining = true;
    }
    boolean ended;
    try {
      if (!writeWhileReady()) return; // the container calls onWritePossible when it can take more
      synchronized (this) {
        draining = false;
        ended = state == State.ENDING && queue.isEmpty();
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (or the container gave up on the response): nothing more can be sent.
      synchronized (this) {
        draining = false;
      }
      close();
      return;
    }
    listener.drained();
    if (ended) close();
  }

  /**
   * Writes queued frames while the container is ready, then flushes them. Returns false if it
   * stopped because the container was not ready (it then calls {@link #onWritePossible()}).
   */
  private boolean writeWhileReady() throws IOException {
    while (true) {
      ByteBuffer next;
      synchronized (this) {
        if (state == State.CLOSED) return true;
        next = queue.peek();
        if (next == null && !flushPending) {
          if (!drainAgain) return true;
          drainAgain = false;
          continue;
        }
      }
      if (!out.isReady()) {
        if (stopDraining()) return false;
        continue;
      }
      if (next == null) {
        flushPending = false;
        out.flush();
        continue;
      }
      int bytes = next.remaining();
      out.write(next);
      synchronized (this) {
        queue.poll();
        queuedBytes -= bytes;
      }
      flushPending = true;
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
    listener.closed();
  }
}
