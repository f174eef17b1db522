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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One response body written without blocking a thread: frames are queued from any thread, and a
 * {@link #flush()} writes them from whichever thread finds the container ready, the caller's or the
 * container's in {@link #onWritePossible()}. Everything queued by the time a drain runs goes out
 * before one container flush, so a burst of events costs one flush per connection.
 *
 * <p>No thread ever waits for the client: when the container is not ready the frames stay queued,
 * and {@link #queuedBytes()} says how far behind the client is.
 *
 * <p>The servlet rules this keeps, each of which Tomcat punishes with corrupt chunked framing on
 * the wire (or bytes in another request's response) when broken:
 *
 * <ul>
 *   <li>Nothing touches the response before the container's first {@code onWritePossible}: the head
 *       ({@link #head}) and the first byte wait for it.
 *   <li>One writer at a time: the {@code draining} flag elects it, and a request that arrives
 *       while another thread drains is picked up by that thread ({@code drainAgain}).
 *   <li>A write only after {@code isReady()} said yes; after it said no, nothing until the
 *       container calls {@code onWritePossible} again ({@code awaitingContainer}).
 *   <li>Nothing touches the response once the request completed: Tomcat recycles the response
 *       (and the connection's buffers) for the next request, possibly another client's. Every call
 *       on the response holds {@code io} and checks the state under it, and {@code complete()} is
 *       called holding {@code io}, once.
 *   <li>The container's {@code onError} and {@code onTimeout} complete the request themselves,
 *       before they return.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class NonBlockingOutput implements WriteListener {
  private static final Logger LOG = LoggerFactory.getLogger(NonBlockingOutput.class);
  /**
   * How long closing waits for a writer to leave the response. A writer holds it for one
   * non-blocking container call: this bound is only there so that a container that calls back
   * into us while it holds its own lock cannot hang a thread forever.
   */
  private static final long CLOSE_WAIT_SECONDS = 10;

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
  /** Held around every call on the response and its stream, and around complete(). */
  private final ReentrantLock io = new ReentrantLock();
  private final AtomicBoolean completed = new AtomicBoolean();
  private final Queue<ByteBuffer> queue = new ArrayDeque<>(); // guarded by this
  private long queuedBytes; // guarded by this
  private State state = State.NEW; // guarded by this
  private Runnable head; // guarded by this; set once, run by the writer before the first byte
  /** The container called onWritePossible at least once: the response may be touched. */
  private boolean writable; // guarded by this
  /** isReady() said no: only the container's onWritePossible may write now. */
  private boolean awaitingContainer; // guarded by this
  private boolean draining; // guarded by this
  private boolean drainAgain; // guarded by this
  /** onWritePossible arrived while another thread drained. */
  private boolean containerCalled; // guarded by this
  private boolean flushPending; // drainer only
  private String closeReason; // guarded by this

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
    // The container's view of the request's end. A client gone (onError) must complete the
    // request here, before onError returns, or the container dispatches it to the application's
    // error page, which then tries to render an error onto an event stream.
    async.addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        completed.set(true); // the container's own complete: not ours to call again
        close("the request completed", false);
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        close("the container timed the request out", true);
      }

      @Override
      public void onError(AsyncEvent event) {
        close("the container reported an error: " + event.getThrowable(), true);
      }

      @Override
      public void onStartAsync(AsyncEvent event) {}
    });
    synchronized (this) {
      if (state == State.CLOSED) return; // aborted meanwhile: completed already
      if (state == State.NEW) state = State.OPEN; // or ENDING already: the end waits for the container too
    }
    out.setWriteListener(this);
  }

  /**
   * Sets the response head: {@code apply} sets the status and headers. It runs on the writing
   * thread, before the first byte and never after the request completed. Any thread; once.
   */
  public synchronized void head(Runnable apply) {
    if (head != null) throw new IllegalStateException("the head is set already");
    head = apply;
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
    drain(false);
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
    drain(false);
  }

  /** Drops what is queued and closes now, as for a client too slow to wait for. Any thread. */
  public void abort() {
    close("aborted (a slow consumer, or the stream closed before it started)", false);
  }

  public synchronized boolean isOpen() {
    return state == State.NEW || state == State.OPEN;
  }

  @Override
  public void onWritePossible() {
    drain(true);
  }

  @Override
  public void onError(Throwable t) {
    close("writing failed: " + t, false);
  }

  /**
   * Becomes the writer and writes, unless another thread is the writer (it then drains again for
   * us) or the container is not ready (its onWritePossible will drain).
   */
  private void drain(boolean container) {
    synchronized (this) {
      if (container) {
        writable = true;
        awaitingContainer = false;
      }
      if (state == State.NEW || state == State.CLOSED) return;
      if (draining) {
        drainAgain = true;
        if (container) containerCalled = true;
        return;
      }
      // Before the container's first onWritePossible, or after isReady() said no, only the
      // container's own callback writes: the frames wait in the queue.
      if (!writable || awaitingContainer) return;
      draining = true;
    }
    Outcome outcome;
    try {
      outcome = writeWhileReady();
    } catch (IOException | RuntimeException e) {
      // The client went away (or the container gave up on the response): nothing more can be sent.
      synchronized (this) {
        draining = false;
      }
      close("writing failed: " + e, false);
      return;
    }
    switch (outcome) {
      case ENDED -> close("the stream ended", false);
      case DRAINED -> listener.drained();
      case NOT_READY, CLOSED -> {}
    }
  }

  /** How a writer's turn ended. */
  private enum Outcome {
    /** Everything queued was written and flushed. */
    DRAINED,
    /** The same, and the output is ending: the response can complete. */
    ENDED,
    /** The container took no more: its onWritePossible writes the rest. */
    NOT_READY,
    /** The output closed meanwhile. */
    CLOSED
  }

  /**
   * Writes queued frames while the container is ready, then flushes them, and lets go of the
   * writer's role.
   */
  private Outcome writeWhileReady() throws IOException {
    while (true) {
      ByteBuffer next;
      Runnable pendingHead;
      synchronized (this) {
        if (state == State.CLOSED) {
          draining = false;
          return Outcome.CLOSED;
        }
        pendingHead = head;
        head = null;
        next = queue.peek();
        if (next == null && !flushPending && pendingHead == null) {
          if (drainAgain) {
            drainAgain = false;
            containerCalled = false;
            continue; // look once more: a frame may have come with the request
          }
          // Let go in the same step as the last look, so a frame queued now finds no writer and
          // its flush becomes one.
          draining = false;
          return state == State.ENDING ? Outcome.ENDED : Outcome.DRAINED;
        }
      }
      io.lock();
      try {
        synchronized (this) {
          if (state == State.CLOSED) continue; // completed meanwhile: the response is not ours
        }
        if (pendingHead != null) pendingHead.run();
        if (next == null && pendingHead != null && !flushPending) continue; // only the head: nothing to send yet
        if (!out.isReady()) {
          if (stopDraining()) return Outcome.NOT_READY;
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
          if (state != State.CLOSED) { // closing emptied the queue already
            queue.poll();
            queuedBytes -= bytes;
          }
        }
        flushPending = true;
      } finally {
        io.unlock();
      }
    }
  }

  /**
   * The container is not ready: let go of the writer's role and wait for its onWritePossible,
   * unless it already came while we were writing (it found us draining and will not come again):
   * then try once more (isReady either says yes now, or arranges another onWritePossible).
   */
  private synchronized boolean stopDraining() {
    if (containerCalled) {
      containerCalled = false;
      return false;
    }
    draining = false;
    awaitingContainer = true;
    return true;
  }

  /**
   * Closes the output (once) and completes the request (once).
   *
   * @param containerError called in the container's onError or onTimeout: the request must be
   *     completed before this returns, even when another thread closed the output first, or the
   *     container goes on to its error handling (Spring Boot's renders an error page onto the
   *     stream, on another thread, while it is still being written)
   */
  private void close(String reason, boolean containerError) {
    boolean first;
    synchronized (this) {
      first = state != State.CLOSED;
      if (first) {
        state = State.CLOSED;
        closeReason = reason;
        queue.clear();
        queuedBytes = 0;
      }
    }
    if (!first && !containerError) return;
    complete();
    if (!first) return;
    LOG.debug("stream closed: {}", reason);
    listener.closed();
  }

  /**
   * Completes the request unless it was already, waiting first for a writer inside a container
   * call to leave it: once complete() is called the response may be another request's. Returns
   * once complete() was called, by this thread or another.
   */
  private void complete() {
    boolean locked = false;
    try {
      locked = io.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      if (!locked) LOG.warn("completing a stream whose writer has been in a container call for {} s", CLOSE_WAIT_SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (completed.compareAndSet(false, true)) async.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // The container ended the request first (the client went away): nothing to complete.
    } finally {
      if (locked) io.unlock();
    }
  }

  /** Why the output closed, or null while it is open. */
  public synchronized String closeReason() {
    return closeReason;
  }
}
