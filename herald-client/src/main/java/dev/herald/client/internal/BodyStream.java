package dev.herald.client.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The response body as the HttpClient publishes it: nothing is requested until the response was
 * accepted ({@link #start}); then each list of buffers goes to the {@link Sink} on the HttpClient's
 * thread, with no extra hand-off to a reading thread, and the next is requested when it returns
 * (so a sink that blocks, as the pull style's full buffer does, holds the socket back).
 *
 * <p>{@link #getBody()} completes at once, so the response arrives with its head, not after the
 * (endless) body. {@link #cancel()} may be called from any thread and never blocks;
 * {@link #awaitQuiescent()} then waits until no sink call is running.
 */
final class BodyStream implements HttpResponse.BodySubscriber<BodyStream> {
  /** Receives the body, one call at a time. */
  interface Sink {
    void accept(List<ByteBuffer> buffers) throws Exception;

    void complete();
  }

  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Object delivering = new Object(); // held while the sink runs
  private Flow.Subscription subscription; // guarded by this
  private Sink sink; // guarded by this
  private boolean cancelled; // guarded by this

  @Override
  public CompletionStage<BodyStream> getBody() {
    return CompletableFuture.completedStage(this);
  }

  /** Completes when the body ends: normally, or with the I/O error, sink failure or cancellation. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Starts the flow of the body into the sink. */
  void start(Sink sink) {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled) return;
      this.sink = sink;
      s = subscription;
    }
    if (s != null) s.request(1);
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
    boolean request;
    synchronized (this) {
      subscription = s;
      cancel = cancelled;
      request = sink != null;
    }
    if (cancel) s.cancel();
    else if (request) s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    Sink target;
    Flow.Subscription s;
    synchronized (delivering) {
      synchronized (this) {
        if (cancelled) return;
        target = sink;
        s = subscription;
      }
      try {
        target.accept(buffers);
      } catch (Exception e) {
        fail(s, e);
        return;
      }
    }
    s.request(1);
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
        target = cancelled ? null : sink;
      }
      if (target != null) target.complete();
    }
    done.complete(null);
  }
}
