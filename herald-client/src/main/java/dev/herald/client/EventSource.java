package dev.herald.client;

import dev.herald.client.internal.RealEventSource;
import dev.herald.client.internal.SourceConfig;
import dev.herald.protocol.EventStreamParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The browser's {@code EventSource} for Java, on the JDK {@link HttpClient} (HTTP/1.1 and HTTP/2).
 *
 * <pre>{@code
 * EventSource source = EventSource.builder(URI.create("https://example.com/events"))
 *     .header("Authorization", "Bearer " + token)
 *     .onMessage((es, event) -> System.out.println(event.data()))
 *     .addEventListener("price", (es, event) -> prices.update(event.data()))
 *     .onError((es, error) -> log.warn("{}", error))
 *     .build();   // connects; returns at once
 * ...
 * source.close();
 * }</pre>
 *
 * <p><b>Threads.</b> Every callback ({@link OpenHandler}, {@link MessageHandler},
 * {@link ErrorHandler}, {@link CommentHandler}) runs on the source's callback executor, one at a
 * time and in stream order: by default one daemon thread per source named
 * {@code herald-eventsource-N-callbacks}. The body is parsed on the HttpClient's own threads and
 * each read's events are handed to the callback thread in one batch; callbacks never run on the
 * HttpClient's threads, so a slow callback delays later callbacks, never the reading (events queue
 * up in memory; use {@link Builder#buildStream(int)} for back-pressure). A callback that throws is
 * reported to {@link ErrorHandler} as {@link EventSourceError.Kind#HANDLER} and the stream goes on.
 * Each source also has one daemon thread, {@code herald-eventsource-N}, that runs its connection
 * loop (it waits most of the time); the read-timeout watchdog is one daemon thread shared by all.
 *
 * <p><b>Lifecycle.</b> {@code readyState} goes CONNECTING → OPEN → CONNECTING → ... and ends
 * CLOSED, either because the server failed the connection (a status other than 200, a wrong
 * content type; see {@link RetryPolicy}) or because {@link #close()} was called. Every method is
 * thread-safe; {@code close()} may be called from any thread, callbacks included, and no callback
 * starts after it returns.
 *
 * <p>Server event names live in their own namespace: {@code addEventListener("error", ...)}
 * receives events the server named {@code error}, never connection errors, which go only to
 * {@link Builder#onError(ErrorHandler)}.
 */
public interface EventSource extends AutoCloseable {

  /** The connection state, as the browser's {@code readyState}. */
  enum ReadyState {
    /** Connecting, or waiting to reconnect. */
    CONNECTING,
    /** Connected: events are flowing. */
    OPEN,
    /** Closed for good: by {@link #close()} or because the server failed the connection. */
    CLOSED
  }

  /** Called when a connection opens (200 with {@code text/event-stream}), on the callback thread. */
  @FunctionalInterface
  interface OpenHandler {
    void onOpen(EventSource source) throws Exception;
  }

  /** Called for each event of the type it was registered for, on the callback thread. */
  @FunctionalInterface
  interface MessageHandler {
    void onMessage(EventSource source, MessageEvent event) throws Exception;
  }

  /** Called when a connection fails or a callback throws, on the callback thread. */
  @FunctionalInterface
  interface ErrorHandler {
    void onError(EventSource source, EventSourceError error);
  }

  /** Called for each comment line as soon as it is read, on the callback thread. */
  @FunctionalInterface
  interface CommentHandler {
    void onComment(EventSource source, String comment) throws Exception;
  }

  /**
   * A builder for a source reading {@code url}.
   *
   * @throws IllegalArgumentException if the URL is not absolute {@code http} or {@code https}
   */
  static Builder builder(URI url) {
    return new Builder(url);
  }

  /** As {@link #builder(URI)}, parsing the URL; a malformed URL is an IllegalArgumentException. */
  static Builder builder(String url) {
    return new Builder(URI.create(Objects.requireNonNull(url, "url")));
  }

  /** The URL given to the builder; never a redirect target. */
  URI url();

  ReadyState readyState();

  /**
   * The last event id: the latest {@code id} field read (kept across events and reconnections),
   * or the builder's initial value; {@code ""} when none. Sent as {@code Last-Event-ID}.
   */
  String lastEventId();

  /**
   * Adds a handler for events whose type is {@code type} ({@code "message"} for unnamed events).
   * Handlers added after {@code build()} may miss the first events: prefer the builder's.
   */
  void addEventListener(String type, MessageHandler handler);

  /** Removes a handler added for {@code type}; events already queued for it may still arrive. */
  void removeEventListener(String type, MessageHandler handler);

  /**
   * Drops the current connection (or skips the wait before the next one) and reconnects at once,
   * as if the server had closed the stream: {@link ErrorHandler} sees
   * {@link EventSourceError.Kind#RESTARTED}. Does nothing once CLOSED.
   */
  void restart();

  /**
   * Closes the source for good: aborts the request in flight, cancels any pending reconnection,
   * sets CLOSED before returning and stops the default callback thread. Events already read but
   * not yet delivered are dropped; no callback starts afterwards. Idempotent; callable from any
   * thread, callbacks included.
   */
  @Override
  void close();

  /** Configures an {@link EventSource}. Not thread-safe; {@code build()} may be called again. */
  final class Builder {
    /** Default read timeout: a connection with no byte for 5 minutes is dead. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMinutes(5);

    private final URI url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String method = "GET";
    private byte[] body;
    private HttpClient httpClient;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Executor callbackExecutor;
    private String lastEventId = "";
    private int maxEventBytes = EventStreamParser.DEFAULT_MAX_EVENT_BYTES;
    private int maxLineBytes = EventStreamParser.DEFAULT_MAX_LINE_BYTES;
    private OpenHandler onOpen;
    private ErrorHandler onError;
    private CommentHandler onComment;
    private final Map<String, List<MessageHandler>> listeners = new LinkedHashMap<>();

    private Builder(URI url) {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
        throw new IllegalArgumentException("not an absolute http or https URL: " + url);
      }
      if (url.getHost() == null) throw new IllegalArgumentException("no host in URL: " + url);
      this.url = url;
    }

    /**
     * Sets a request header sent on every request, reconnections included (replacing any earlier
     * value). {@code Accept} and {@code Cache-Control} set here replace the defaults
     * ({@code text/event-stream}, {@code no-cache}); {@code Last-Event-ID} is the source's own.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.equalsIgnoreCase("Last-Event-ID")) {
        throw new IllegalArgumentException("use lastEventId(String) to set Last-Event-ID");
      }
      // Let the JDK refuse bad names, values and the headers it reserves (Host, Connection...).
      HttpRequest.newBuilder().setHeader(name, value);
      headers.keySet().removeIf(name::equalsIgnoreCase);
      headers.put(name, value);
      return this;
    }

    /**
     * The request method and body, resent unchanged on every reconnection (a POST with a JSON
     * body is how LLM APIs stream replies). The {@code Content-Type} is {@code text/plain} unless
     * set with {@link #header}. A null body sends none. Redirects 301/302 of a POST and any 303
     * turn it into a GET without body, as Fetch does.
     */
    public Builder method(String method, byte[] body) {
      Objects.requireNonNull(method, "method");
      if (method.isEmpty() || !method.chars().allMatch(c -> c > 32 && c < 127)) {
        throw new IllegalArgumentException("bad method: " + method);
      }
      this.method = method;
      this.body = body == null ? null : body.clone();
      return this;
    }

    /**
     * The HttpClient to use instead of the shared default. Herald follows redirects itself, so
     * give it {@code Redirect.NEVER} (the default); a client that follows redirects on its own
     * applies the JDK's rules instead (at most 5 hops, no HTTPS to HTTP, an absent
     * {@code Location} reported as an I/O error). Do not set request timeouts on it: the read
     * timeout here is the source's own watchdog. The body is parsed on its executor's threads;
     * the default client uses a direct executor (its selector thread), since nothing on that
     * path blocks.
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /** The reconnection policy; replaces any delays set with the shortcuts below. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Shortcut for {@code retryPolicy(policy.withInitialDelay(delay))}. */
    public Builder initialRetryDelay(Duration delay) {
      retryPolicy = retryPolicy.withInitialDelay(delay);
      return this;
    }

    /** Shortcut for {@code retryPolicy(policy.withMaxDelay(delay))}. */
    public Builder maxRetryDelay(Duration delay) {
      retryPolicy = retryPolicy.withMaxDelay(delay);
      return this;
    }

    /** Shortcut for {@code retryPolicy(policy.withRetryOnHttpErrors(retry))}. */
    public Builder retryOnHttpErrors(boolean retry) {
      retryPolicy = retryPolicy.withRetryOnHttpErrors(retry);
      return this;
    }

    /**
     * No byte at all (a heartbeat comment counts) for this long means the connection is dead: it
     * is dropped and the source reconnects. {@link Duration#ZERO} disables the watchdog.
     */
    public Builder readTimeout(Duration readTimeout) {
      Objects.requireNonNull(readTimeout, "readTimeout");
      if (readTimeout.isNegative()) throw new IllegalArgumentException("negative readTimeout");
      this.readTimeout = readTimeout;
      return this;
    }

    /**
     * Where callbacks run. They run one at a time and in order whatever the executor; the default
     * is one daemon thread per source. A direct executor ({@code Runnable::run}) runs them on the
     * HttpClient's thread that parsed the events (for the default client, its one selector
     * thread, shared by every source and connection): fastest, but a slow callback then stalls
     * all of them. The executor is not shut down by {@link EventSource#close()}.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The last event id to start from: sent on the first request, as if received in an id. */
    public Builder lastEventId(String lastEventId) {
      this.lastEventId = Objects.requireNonNull(lastEventId, "lastEventId");
      return this;
    }

    /**
     * The largest event data accepted, in bytes; a larger event closes the source. Default
     * {@link EventStreamParser#DEFAULT_MAX_EVENT_BYTES} (32 MiB).
     */
    public Builder maxEventBytes(int maxEventBytes) {
      if (maxEventBytes < 1) throw new IllegalArgumentException("maxEventBytes must be positive");
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /**
     * The longest line accepted, in bytes; a longer line closes the source. Default
     * {@link EventStreamParser#DEFAULT_MAX_LINE_BYTES} (32 MiB: a 16 MiB single-line event passes).
     */
    public Builder maxLineBytes(int maxLineBytes) {
      if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be positive");
      this.maxLineBytes = maxLineBytes;
      return this;
    }

    /** Called each time a connection opens. */
    public Builder onOpen(OpenHandler handler) {
      this.onOpen = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Called for unnamed events (type {@code message}); same as adding a "message" listener. */
    public Builder onMessage(MessageHandler handler) {
      return addEventListener("message", handler);
    }

    /** Called for events the server named {@code type} (its {@code event:} field). */
    public Builder addEventListener(String type, MessageHandler handler) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(handler, "handler");
      listeners.computeIfAbsent(type, t -> new ArrayList<>()).add(handler);
      return this;
    }

    /** Called when a connection fails (retrying or closed) or a callback throws. */
    public Builder onError(ErrorHandler handler) {
      this.onError = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Called for each comment line ({@code :text}) as soon as the line is read. */
    public Builder onComment(CommentHandler handler) {
      this.onComment = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Creates the source and starts connecting; returns at once, in state CONNECTING. */
    public EventSource build() {
      return RealEventSource.start(config(0));
    }

    /**
     * Creates a source whose events are pulled instead of pushed (the handlers given to
     * {@link #onMessage} and {@link #addEventListener} are not called; open, error and comment
     * handlers are). The source stops reading while {@code bufferedEvents} events wait to be
     * taken, so a slow consumer slows the server down instead of filling memory: the body is
     * paused (nothing more is requested from the HttpClient, so TCP holds the server back) until
     * the consumer has taken half of them. No thread blocks meanwhile.
     */
    public MessageStream buildStream(int bufferedEvents) {
      if (bufferedEvents < 1) throw new IllegalArgumentException("bufferedEvents must be positive");
      return RealEventSource.startStream(config(bufferedEvents));
    }

    private SourceConfig config(int bufferedEvents) {
      Map<String, List<MessageHandler>> copy = new LinkedHashMap<>();
      listeners.forEach((type, list) -> copy.put(type, List.copyOf(list)));
      return new SourceConfig(url, method, body == null ? null : body.clone(),
          Map.copyOf(new LinkedHashMap<>(headers)), httpClient, retryPolicy, readTimeout,
          callbackExecutor, lastEventId, maxEventBytes, maxLineBytes, onOpen, onError, onComment,
          copy, bufferedEvents);
    }
  }
}
