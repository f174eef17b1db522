package dev.herald.testing;

import dev.herald.protocol.EventStreamParser;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The tests' one event-stream reader: a GET sent with the JDK {@link HttpClient}, its body read on
 * a thread of its own through Herald's {@link EventStreamParser}. Every event lands in a queue for
 * {@link #take()} and in a list for {@link #received()}. One connection, no reconnection: a test
 * that needs the client's reconnection uses the client.
 *
 * <pre>{@code
 * try (EventStreamReader s = EventStreamReader.open("http://127.0.0.1:" + port + "/events?topic=t", null)) {
 *   assertThat(s.take().data()).isEqualTo("hello");
 * }
 * }</pre>
 */
public class EventStreamReader implements AutoCloseable {
  /** How long {@link #take()} waits: generous, since a loaded CI machine may be slow. */
  public static final Duration TAKE_TIMEOUT = Duration.ofSeconds(30);
  /** A client shared by the readers that bring none. */
  public static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * One dispatched event.
   *
   * @param id the stream's last event id after this event ({@code ""} when none yet)
   * @param receivedNanos {@link System#nanoTime()} when the parser dispatched it
   */
  public record Received(String type, String data, String id, long receivedNanos) {
    /** An event as a test expects it: equal to any received event of this type, data and id. */
    public Received(String type, String data, String id) {
      this(type, data, id, 0);
    }

    /** What the stream said: the arrival time is not part of it. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Received r && type.equals(r.type) && data.equals(r.data) && id.equals(r.id);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, data, id);
    }
  }

  /** Events not yet taken, in stream order. */
  public final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
  /** The response, once its head arrived. */
  public volatile HttpResponse<InputStream> response;
  /** Why reading stopped, when it failed (closing the reader fails it too). */
  public volatile Throwable failure;
  /** The server ended the body. */
  public volatile boolean ended;
  private final List<Received> received = new ArrayList<>();
  private final Thread reader;

  /** Reads {@code request}'s response, sent with {@code client}. */
  protected EventStreamReader(HttpClient client, HttpRequest request) {
    reader = new Thread(() -> {
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        EventStreamParser parser = EventStreamParser.create((type, data, id) -> add(new Received(type, data, id, System.nanoTime())));
        try (InputStream in = response.body()) {
          byte[] buf = new byte[8192];
          int n;
          while ((n = in.read(buf)) >= 0) parser.feed(buf, 0, n);
        }
        ended = true;
      } catch (Throwable t) {
        failure = t; // or closed by the test
      }
    }, "test-event-stream-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Reads the event stream at {@code url} with the shared client, sending a Last-Event-ID when given. */
  public static EventStreamReader open(String url, String lastEventId) {
    return new EventStreamReader(HTTP, request(url, null, lastEventId));
  }

  /** Reads the event stream at {@code uri} with {@code client}, sending a Last-Event-ID when given. */
  public static EventStreamReader open(HttpClient client, URI uri, String lastEventId) {
    return new EventStreamReader(client, request(uri.toString(), null, lastEventId));
  }

  /** A GET asking for an event stream, with a bearer token and a Last-Event-ID when given. */
  public static HttpRequest request(String url, String token, String lastEventId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    return b.build();
  }

  private synchronized void add(Received r) {
    received.add(r);
    events.add(r);
  }

  /** The next event not yet taken, waiting up to {@link #TAKE_TIMEOUT}. */
  public Received take() throws InterruptedException {
    Received r = events.poll(TAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new AssertionError("no event within " + TAKE_TIMEOUT.toSeconds() + " s" + (failure != null ? ": " + failure : ""));
    }
    return r;
  }

  /** Every event received so far, taken or not, in order. */
  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** The data of the {@code message} events received so far, in order. */
  public synchronized List<String> data() {
    return received.stream().filter(e -> e.type().equals("message")).map(Received::data).toList();
  }

  /** The ids of the {@code message} events received so far, in order. */
  public synchronized List<String> ids() {
    return received.stream().filter(e -> e.type().equals("message")).map(Received::id).toList();
  }

  /** Whether an event (of any type) with this data was received. */
  public synchronized boolean receivedData(String data) {
    return received.stream().anyMatch(e -> e.data().equals(data));
  }

  /** Whether the stream is still being read: neither ended by the server nor failed. */
  public boolean open() {
    return !ended && failure == null;
  }

  @Override
  public void close() throws Exception {
    HttpResponse<InputStream> r = response;
    if (r != null) r.body().close();
    reader.interrupt();
    reader.join(TAKE_TIMEOUT.toMillis());
  }
}
