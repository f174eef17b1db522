package dev.herald.client.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The response body as the HttpClient publishes it: at most one list of buffers is taken before
 * the response was accepted ({@link #start}); then each list of buffers goes to the {@link Sink} on the HttpClient's
 * thread, with no extra hand-off to a reading thread, and the next is requested when it returns,
 * or later, on {@link #resume()}, when the sink asked for a pause (the pull style's full buffer):
 * no thread ever blocks to hold the server back.
 *
 * <p>{@link #getBody()} completes at once, so the response arrives with its head, not after the
 * (endless) body. {@link #cancel()} may be called from any thread and never blocks;
 * {@link #awaitQuiescent()} then waits until no sink call is running.
 */
final class BodyStream implements HttpResponse.BodySubscriber<BodyStream> {
  /** Receives the body, one call at a time. */
  interface Sink {
    /**
     * Takes one list of buffers. Returns true to receive the next at once, false to pause the
     * body (nothing is requested, so TCP holds the server back) until {@link #resume()}.
     */
    boolean accept(List<ByteBuffer> buffers) throws Exception;

    void complete();
  }

  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Object delivering = new Object(); // held while the sink runs
  private Flow.Subscription subscription; // guarded by this
  private Sink sink; // guarded by this
  private boolean cancelled; // guarded by this
  private List<ByteBuffer> pending; // guarded by this: arrived before start()
  private boolean completedEarly; // guarded by this: the body ended before start()

  @Override
  public CompletionStage<BodyStream> getBody() {
    return CompletableFuture.completedStage(this);
  }

  /** Completes when the body ends: normally, or with the I/O error, sink failure or cancellation. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Starts the flow of the body into the sink, first with what arrived before. */
  void start(Sink sink) {
    Flow.Subscription s;
    List<ByteBuffer> early;
    boolean ended;
    synchronized (delivering) {
      synchronized (this) {
        if (cancelled) return;
        this.sink = sink;
        s = subscription;
        early = pending;
        pending = null;
        ended = completedEarly;
      }
      if (early != null && deliver(sink, s, early) != Next.MORE) return;
      if (ended) sink.complete();
    }
    if (ended) done.complete(null);
    else if (early != null) s.request(1);
  }

  /** Ends a pause asked for by the sink: requests the next buffers. Any thread. */
  void resume() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled || subscription == null) return;
      s = subscription;
    }
    s.request(1);
  }

  /** Stops the body and releases the connection. Idempotent; never blocks. */
  void cancel() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled) return;
      cancelled = true;
      s = subscription;
    }
    if (s != null) s.cancel();
    done.completeExceptionally(new CancellationException("cancelled"));
  }

  /** Waits until no sink call is running: after cancel(), nothing more is delivered. */
  void awaitQuiescent() {
    synchronized (delivering) {
      // Entering is enough: a running sink call holds the lock.
    }
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (this) {
      subscription = s;
      cancel = cancelled;
    }
    // Ask for the first buffers at once, as the JDK's own ofInputStream() does, so the exchange
    // never waits on us. What arrives before start() waits in `pending`.
    if (cancel) s.cancel();
    else s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    Sink target;
    Flow.Subscription s;
    synchronized (delivering) {
      synchronized (this) {
        if (cancelled) return;
        s = subscription;
        target = sink;
        if (target == null) {
          pending = buffers; // one list at most: nothing more is requested before start()
          return;
        }
      }
      if (deliver(target, s, buffers) != Next.MORE) return;
    }
    s.request(1);
  }

  private enum Next { MORE, PAUSE, FAILED }

  private Next deliver(Sink target, Flow.Subscription s, List<ByteBuffer> buffers) {
    try {
      return target.accept(buffers) ? Next.MORE : Next.PAUSE;
    } catch (Exception e) {
      fail(s, e);
      return Next.FAILED;
    }
  }

  private void fail(Flow.Subscription s, Throwable t) {
    synchronized (this) {
      cancelled = true;
    }
    s.cancel();
    done.completeExceptionally(t);
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    synchronized (delivering) {
      Sink target;
      synchronized (this) {
        if (cancelled) return;
        target = sink;
        if (target == null) {
          completedEarly = true; // start() completes after delivering what is pending
          return;
        }
      }
      target.complete();
    }
    done.complete(null);
  }
}
