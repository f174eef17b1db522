package dev.herald.hub;

import dev.herald.protocol.EventStreamParser;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Reads one event stream on its own thread into a queue, with the JDK client and Herald's parser. */
public class SseReader implements AutoCloseable {
  public record Received(String type, String data, String id) {}

  public static final HttpClient HTTP = HttpClient.newHttpClient();

  public final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
  public volatile HttpResponse<InputStream> response;
  private final Thread reader;

  public SseReader(String url, String lastEventId) {
    this(HTTP, request(url, null, lastEventId));
  }

  /** Reads {@code request}'s response with {@code client}. */
  protected SseReader(HttpClient client, HttpRequest request) {
    reader = new Thread(() -> {
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        EventStreamParser parser = EventStreamParser.create((t, d, id) -> events.add(new Received(t, d, id)));
        try (InputStream in = response.body()) {
          byte[] buf = new byte[8192];
          int n;
          while ((n = in.read(buf)) >= 0) parser.feed(buf, 0, n);
        }
      } catch (Exception ignored) {
        // closed by the test
      }
    }, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** A GET asking for an event stream, with a bearer token and a Last-Event-ID when given. */
  protected static HttpRequest request(String url, String token, String lastEventId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    return b.build();
  }

  public Received take() throws InterruptedException {
    Received r = events.poll(10, TimeUnit.SECONDS);
    if (r == null) throw new AssertionError("no event within 10 s");
    return r;
  }

  @Override
  public void close() throws Exception {
    HttpResponse<InputStream> r = response;
    if (r != null) r.body().close();
    reader.interrupt();
    reader.join(5000);
  }
}
