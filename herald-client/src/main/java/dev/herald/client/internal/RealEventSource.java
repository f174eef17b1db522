package dev.herald.client.internal;

import dev.herald.client.EventSource;
import dev.herald.client.EventSourceError;
import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.MessageEvent;
import dev.herald.client.MessageStream;
import dev.herald.client.RetryPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source: its state, its listeners and its callback queue. The connection loop that drives it
 * runs on its own daemon thread ({@link ConnectionLoop}).
 *
 * <p>State changes happen under {@code gate}, and every callback passes the same gate before it
 * starts: once {@link #close()} has set CLOSED no callback can start.
 */
public final class RealEventSource implements EventSource {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final System.Logger LOG = System.getLogger(EventSource.class.getName());

  final SourceConfig config;
  final HttpClient client;
  final String name;
  final PullStream pull; // null in the push style

  private final Object gate = new Object();
  private volatile ReadyState state = ReadyState.CONNECTING;
  private volatile boolean stopped; // the loop must end: closed, or failed for good
  private boolean closedByCaller; // guarded by gate
  private final Map<String, List<MessageHandler>> listeners = new ConcurrentHashMap<>();
  private final SerialExecutor callbacks;
  private final ExecutorService ownedCallbackThread; // null when the caller gave an executor
  private final ConnectionLoop loop;
  private volatile String lastEventId;

  private RealEventSource(SourceConfig config) {
    this.config = config;
    this.client = config.httpClient() != null ? config.httpClient() : Threads.defaultHttpClient();
    this.name = "herald-eventsource-" + IDS.incrementAndGet();
    this.lastEventId = config.lastEventId();
    config.listeners().forEach((type, list) -> listeners.put(type, new CopyOnWriteArrayList<>(list)));
    if (config.callbackExecutor() != null) {
      ownedCallbackThread = null;
      callbacks = new SerialExecutor(config.callbackExecutor());
    } else {
      ownedCallbackThread = Threads.callbackThread(name + "-callbacks");
      callbacks = new SerialExecutor(ownedCallbackThread);
    }
    this.pull = config.bufferedEvents() > 0 ? new PullStream(this, config.bufferedEvents()) : null;
    this.loop = new ConnectionLoop(this);
  }

  /** Creates a push-style source and starts connecting. */
  public static EventSource start(SourceConfig config) {
    RealEventSource source = new RealEventSource(config);
    source.loop.start();
    return source;
  }

  /** Creates a pull-style source and starts connecting. */
  public static MessageStream startStream(SourceConfig config) {
    RealEventSource source = new RealEventSource(config);
    source.loop.start();
    return source.pull;
  }

  @Override
  public URI url() {
    return config.url();
  }

  @Override
  public ReadyState readyState() {
    return state;
  }

  @Override
  public String lastEventId() {
    return lastEventId;
  }

  void lastEventId(String id) {
    lastEventId = id;
  }

  @Override
  public void addEventListener(String type, MessageHandler handler) {
    if (type == null || handler == null) throw new NullPointerException("type and handler");
    listeners.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(handler);
  }

  @Override
  public void removeEventListener(String type, MessageHandler handler) {
    List<MessageHandler> list = listeners.get(type);
    if (list != null) list.remove(handler);
  }

  @Override
  public void restart() {
    if (!stopped) loop.restart();
  }

  @Override
  public void close() {
    synchronized (gate) {
      if (closedByCaller) return;
      closedByCaller = true;
      state = ReadyState.CLOSED;
    }
    stopped = true;
    loop.stop();
    if (pull != null) pull.end(true);
    if (ownedCallbackThread != null) ownedCallbackThread.shutdown();
  }

  @Override
  public String toString() {
    return "EventSource{" + name + ", " + config.url() + ", " + state + "}";
  }

  // ---- State changes, called by the connection loop ----
  //
  // As in the browser, OPEN and CONNECTING are set by the queued task that fires open or error, so
  // a callback always sees the state that goes with it; the loop follows the internal `stopped`.

  /** Announces the connection: OPEN and the open callback, queued after earlier callbacks. */
  void announceOpen() {
    OpenHandler handler = config.onOpen();
    callbacks.execute(() -> {
      if (!transition(ReadyState.OPEN)) return;
      if (handler == null) return;
      try {
        handler.onOpen(this);
      } catch (Throwable t) {
        reportHandlerFailure(t);
      }
    });
  }

  /**
   * Reestablish, step 1: CONNECTING and an error event. Returns a latch released once that task
   * has run or been skipped (step 4 waits for it).
   */
  CountDownLatch reestablish(Kind kind, String message, int status, Throwable cause, Duration delay) {
    CountDownLatch delivered = new CountDownLatch(1);
    EventSourceError error = EventSourceError.retrying(kind, message, status, null, cause, delay);
    callbacks.execute(() -> {
      try {
        if (transition(ReadyState.CONNECTING)) fireError(error);
      } finally {
        delivered.countDown();
      }
    });
    return delivered;
  }

  /** Fail the connection: stop for good; a queued task sets CLOSED and fires the error. */
  void fail(Kind kind, String message, int status, String contentType, Throwable cause) {
    stopped = true;
    EventSourceError error = EventSourceError.closed(kind, message, status, contentType, cause);
    callbacks.execute(() -> {
      if (transition(ReadyState.CLOSED)) fireError(error);
    });
    if (pull != null) pull.end(false);
    if (ownedCallbackThread != null) ownedCallbackThread.shutdown(); // after the queued tasks
  }

  /** Sets the state unless CLOSED; false (and no change) once CLOSED. */
  private boolean transition(ReadyState next) {
    synchronized (gate) {
      if (state == ReadyState.CLOSED) return false;
      state = next;
      return true;
    }
  }

  // ---- Delivery, called on the reading thread ----

  /** A comment line, in the same batch as the events around it. */
  record Comment(String text) {}

  /**
   * Delivers what one read produced ({@link MessageEvent}s and {@link Comment}s, in stream order):
   * one hand-off per read, not per event, and never blocking. Push style: one callback task; pull
   * style: the events go to the stream and comments to their callback. Returns false when the
   * body must pause until {@code resume} runs (the pull style's buffer is full).
   */
  boolean deliver(List<Object> items, Runnable resume) {
    if (pull != null) {
      CommentHandler comments = config.onComment();
      List<MessageEvent> events = new ArrayList<>(items.size());
      for (Object item : items) {
        if (item instanceof MessageEvent e) events.add(e);
        else if (comments != null) post(() -> comments.onComment(this, ((Comment) item).text()));
      }
      return pull.offerAll(events, resume);
    }
    callbacks.execute(() -> {
      for (Object item : items) {
        if (item instanceof MessageEvent e) {
          List<MessageHandler> handlers = listeners.get(e.type());
          if (handlers == null) continue;
          for (MessageHandler h : handlers) {
            if (!startCallback()) return;
            try {
              h.onMessage(this, e);
            } catch (Throwable t) {
              reportHandlerFailure(t);
            }
          }
        } else {
          CommentHandler handler = config.onComment();
          if (handler == null) continue;
          if (!startCallback()) return;
          try {
            handler.onComment(this, ((Comment) item).text());
          } catch (Throwable t) {
            reportHandlerFailure(t);
          }
        }
      }
    });
    return true;
  }

  /** Whether anything would receive this event type or comments; lets the reader skip work. */
  boolean wantsComments() {
    return config.onComment() != null;
  }

  /** Whether the loop must stop: closed by the caller or failed for good. */
  boolean isStopped() {
    return stopped;
  }

  /** A callback that may throw. */
  private interface Callback {
    void run() throws Exception;
  }

  private void post(Callback callback) {
    callbacks.execute(() -> {
      if (!startCallback()) return;
      try {
        callback.run();
      } catch (Throwable t) {
        reportHandlerFailure(t);
      }
    });
  }

  /** Whether a callback may start now: never once the source is CLOSED. */
  private boolean startCallback() {
    synchronized (gate) {
      return state != ReadyState.CLOSED;
    }
  }

  private void reportHandlerFailure(Throwable t) {
    if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
    fireError(EventSourceError.handler(state, t));
  }

  private void fireError(EventSourceError error) {
    ErrorHandler handler = config.onError();
    if (handler == null) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", name, error);
      return;
    }
    try {
      handler.onError(this, error);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
      LOG.log(System.Logger.Level.WARNING, name + ": the error handler threw", t);
    }
  }

  /** The random part of the retry policy's jitter. */
  static double random() {
    return ThreadLocalRandom.current().nextDouble();
  }

  RetryPolicy policy() {
    return config.retryPolicy();
  }
}
