package dev.herald.client.internal;

import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.MessageEvent;
import dev.herald.client.RetryPolicy;
import dev.herald.protocol.EventStreamLimitException;
import dev.herald.protocol.EventStreamParser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The reconnecting loop of one source, on its own daemon thread: connect, check the response,
 * let the body flow into the parser (on the HttpClient's threads) until it ends, then wait and
 * reconnect, or stop. Aborts (close, restart, read timeout) come from other threads as
 * {@link Exchange#abort()} plus an interrupt of this thread.
 */
final class ConnectionLoop implements Runnable {
  private final RealEventSource source;
  private final Thread thread;
  private final Object lock = new Object();
  private Exchange exchange; // guarded by lock: the attempt in flight, null between attempts
  private boolean restartRequested; // guarded by lock
  private volatile Duration reconnectionTime;

  /** Why one attempt ended, when the source goes on. */
  private record Ended(Kind kind, String message, int status, Throwable cause, Duration retryAfter,
      boolean healthy) {}

  ConnectionLoop(RealEventSource source) {
    this.source = source;
    this.thread = Threads.daemon(source.name, this);
    this.reconnectionTime = source.policy().initialDelay();
  }

  void start() {
    thread.start();
  }

  /** Wakes the loop so it notices CLOSED, aborting the attempt in flight. */
  void stop() {
    synchronized (lock) {
      if (exchange != null) exchange.abort();
      lock.notifyAll();
    }
    if (Thread.currentThread() != thread) thread.interrupt();
  }

  void restart() {
    synchronized (lock) {
      restartRequested = true;
      if (exchange != null) {
        exchange.abort();
        thread.interrupt();
      }
      lock.notifyAll();
    }
  }

  @Override
  public void run() {
    int failures = 0;
    try {
      while (!source.isStopped()) {
        Ended ended = attempt();
        if (ended == null) return; // closed, or failed for good
        if (ended.healthy()) failures = 0;
        RetryPolicy policy = source.policy();
        Duration delay;
        if (ended.kind() == Kind.RESTARTED) {
          delay = Duration.ZERO;
        } else if (ended.kind() == Kind.HTTP_STATUS) {
          delay = policy.nextDelayAfterHttpError(ended.retryAfter(), reconnectionTime, failures,
              RealEventSource.random());
          failures++;
        } else {
          delay = policy.nextDelay(reconnectionTime, failures, RealEventSource.random());
          failures++;
        }
        CountDownLatch delivered = source.reestablish(ended.kind(), ended.message(),
            ended.status(), ended.cause(), delay);
        if (!await(delay, delivered)) return;
      }
    } catch (RuntimeException e) {
      // A bug, or a request the JDK refuses to build (e.g. an id with control characters).
      source.fail(Kind.NETWORK, "cannot continue: " + e, -1, null, e);
    }
  }

  /** Reestablish steps 2-5: wait the delay, then for the error callback; false once CLOSED. */
  private boolean await(Duration delay, CountDownLatch delivered) {
    long deadline = System.nanoTime() + Math.min(delay.toNanos(), Long.MAX_VALUE / 4);
    synchronized (lock) {
      while (!source.isStopped() && !restartRequested) {
        long left = deadline - System.nanoTime();
        if (left <= 0) break;
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          // close() or restart(): the loop condition decides.
        }
      }
    }
    while (!source.isStopped()) {
      try {
        delivered.await();
        break;
      } catch (InterruptedException e) {
        // Re-check CLOSED.
      }
    }
    return !source.isStopped();
  }

  /** One connection attempt; null when the source is closed (by the caller or for good). */
  private Ended attempt() {
    Exchange ex = new Exchange(source.client, source.config);
    synchronized (lock) {
      if (source.isStopped()) return null;
      restartRequested = false;
      exchange = ex;
      Thread.interrupted(); // an interrupt meant for the previous attempt
    }
    try {
      Duration timeout = source.config.readTimeout();
      if (!timeout.isZero()) scheduleWatchdog(ex, timeout.toNanos(), timeout.toNanos());
      ex.waiting();
      HttpResponse<BodyStream> response;
      try {
        response = ex.open(source.lastEventId());
      } catch (Exchange.RedirectException e) {
        source.fail(Kind.REDIRECT, e.getMessage(), e.status, null, null);
        return null;
      } catch (IOException | InterruptedException e) {
        return aborted(ex, e, false);
      } catch (IllegalArgumentException e) {
        // The JDK refuses header values with control characters (other than tab) or DEL; a
        // browser could send such an id, this client cannot, and resending without it would
        // silently lose the position: fail, saying why.
        source.fail(Kind.NETWORK, "the JDK HttpClient cannot send this Last-Event-ID: "
            + e.getMessage(), -1, null, e);
        return null;
      }
      return read(ex, response);
    } finally {
      ScheduledFuture<?> watchdog = ex.watchdog;
      if (watchdog != null) watchdog.cancel(false);
      ex.abort();
      ex.awaitQuiescent(); // no event of this connection is delivered after what follows
      synchronized (lock) {
        exchange = null;
      }
    }
  }

  private Ended read(Exchange ex, HttpResponse<BodyStream> response) {
    int status = response.statusCode();
    BodyStream body = response.body();
    if (status != 200) {
      body.cancel();
      if (source.policy().retries(status)) {
        Duration retryAfter = Http.retryAfter(response.headers().firstValue("Retry-After"), Instant.now());
        return new Ended(Kind.HTTP_STATUS, "HTTP " + status, status, null, retryAfter, false);
      }
      source.fail(Kind.HTTP_STATUS, status == 204 ? "HTTP 204: the server asked to stop"
          : "HTTP " + status, status, null, null);
      return null;
    }
    var contentType = response.headers().firstValue("Content-Type");
    if (!Http.isEventStream(contentType)) {
      body.cancel();
      source.fail(Kind.CONTENT_TYPE, "not text/event-stream: " + contentType.orElse("(none)"),
          status, contentType.orElse(""), null);
      return null;
    }
    if (source.isStopped()) return null;
    source.announceOpen();
    long openedAt = System.nanoTime();
    ParserListener listener = new ParserListener(Http.origin(response.uri()));
    // Each connection starts a new body but keeps the last event id (WPT format-field-id).
    EventStreamParser parser = EventStreamParser.builder()
        .lastEventId(source.lastEventId())
        .maxEventBytes(source.config.maxEventBytes())
        .maxLineBytes(source.config.maxLineBytes())
        .build(listener);
    ex.waiting();
    body.start(new BodySink(ex, body, parser, listener));
    try {
      body.done().get();
      return ended(Kind.END_OF_STREAM, "the server ended the stream", null, openedAt);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof EventStreamLimitException limit) {
        source.fail(Kind.EVENT_TOO_LARGE, limit.getMessage(), -1, null, limit);
        return null;
      }
      Ended aborted = aborted(ex, cause instanceof Exception x ? x : e, true);
      return aborted == null ? null : ended(aborted.kind(), aborted.message(), aborted.cause(), openedAt);
    } catch (InterruptedException | CancellationException e) {
      Ended aborted = aborted(ex, e, true);
      return aborted == null ? null : ended(aborted.kind(), aborted.message(), aborted.cause(), openedAt);
    }
  }

  /** Parses the body on the HttpClient's thread and hands each read's events over at once. */
  private final class BodySink implements BodyStream.Sink {
    private final Exchange ex;
    private final EventStreamParser parser;
    private final ParserListener listener;
    private final BodyStream body;
    private final byte[] scratch = new byte[16 * 1024];

    BodySink(Exchange ex, BodyStream body, EventStreamParser parser, ParserListener listener) {
      this.ex = ex;
      this.body = body;
      this.parser = parser;
      this.listener = listener;
    }

    @Override
    public boolean accept(List<ByteBuffer> buffers) {
      ex.waitingForBytes = false;
      boolean more = true;
      try {
        for (ByteBuffer b : buffers) {
          // The JDK hands out read-only buffers: copy into one reused array.
          while (b.hasRemaining()) {
            int n = Math.min(scratch.length, b.remaining());
            b.get(scratch, 0, n);
            parser.feed(scratch, 0, n);
          }
        }
      } finally {
        source.lastEventId(parser.lastEventId());
        // What this read completed, even if a limit broke after it.
        more = listener.flush(this::resume);
        if (more) ex.waiting(); // a paused body waits for the consumer, not the server
      }
      return more;
    }

    /** The consumer made room: the read timeout runs again and the body flows on. */
    private void resume() {
      ex.waiting();
      body.resume();
    }

    @Override
    public void complete() {
      parser.end(); // an unterminated event at the end is dropped, its id too
    }
  }

  private Ended ended(Kind kind, String message, Throwable cause, long openedAt) {
    Duration up = Duration.ofNanos(System.nanoTime() - openedAt);
    return new Ended(kind, message, -1, cause, null, source.policy().isHealthy(up));
  }

  /** Classifies an attempt that ended with an exception: closed, restart, timeout or I/O error. */
  private Ended aborted(Exchange ex, Exception e, boolean open) {
    if (source.isStopped()) return null;
    boolean restart;
    synchronized (lock) {
      restart = restartRequested;
    }
    if (restart) return new Ended(Kind.RESTARTED, "restart requested", -1, null, null, false);
    if (ex.timedOut) {
      return new Ended(Kind.READ_TIMEOUT, "no byte for " + source.config.readTimeout(), -1, null,
          null, false);
    }
    String what = open ? "the connection failed mid-stream: " : "could not connect: ";
    return new Ended(Kind.NETWORK, what + e, -1, e, null, false);
  }

  private void scheduleWatchdog(Exchange ex, long delayNanos, long timeoutNanos) {
    ex.watchdog = Threads.watchdog().schedule(() -> checkIdle(ex, timeoutNanos), delayNanos,
        TimeUnit.NANOSECONDS);
  }

  /** The read-timeout watchdog: reschedules itself until the reader waited too long. */
  private void checkIdle(Exchange ex, long timeoutNanos) {
    synchronized (lock) {
      if (exchange != ex || ex.isAborted()) return;
      long idle = ex.waitingForBytes ? System.nanoTime() - ex.waitingSinceNanos : 0;
      if (idle >= timeoutNanos) {
        ex.timedOut = true;
        ex.abort();
        thread.interrupt();
        return;
      }
      scheduleWatchdog(ex, timeoutNanos - idle, timeoutNanos);
    }
  }

  /** Turns parser callbacks into events, on the reading thread, batched per read. */
  private final class ParserListener implements EventStreamParser.Listener {
    private final String origin;
    private final boolean comments = source.wantsComments();
    private List<Object> batch = new ArrayList<>();

    ParserListener(String origin) {
      this.origin = origin;
    }

    @Override
    public void onEvent(String type, String data, String lastEventId) {
      batch.add(new MessageEvent(type, data, lastEventId, origin));
    }

    @Override
    public void onRetry(long millis) {
      reconnectionTime = Duration.ofMillis(millis); // applies now and to every later reconnect
    }

    @Override
    public void onComment(String comment) {
      if (comments) batch.add(new RealEventSource.Comment(comment));
    }

    /**
     * Hands over what the last read completed; comments thus arrive as soon as read. False when
     * the body must pause until {@code resume} runs.
     */
    boolean flush(Runnable resume) {
      if (batch.isEmpty()) return true;
      List<Object> items = batch;
      batch = new ArrayList<>(Math.max(16, items.size()));
      return source.deliver(items, resume);
    }
  }
}
