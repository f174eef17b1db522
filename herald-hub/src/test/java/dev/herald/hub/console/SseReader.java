package dev.herald.hub.console;

import dev.herald.protocol.EventStreamParser;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Reads one event stream on its own thread into a queue, with the JDK client. */
final class SseReader implements AutoCloseable {
  record Received(String type, String data, String id) {}

  static final HttpClient HTTP = HttpClient.newHttpClient();

  final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
  volatile HttpResponse<InputStream> response;
  private final Thread reader;

  SseReader(String url, String lastEventId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    HttpRequest request = b.build();
    reader = new Thread(() -> {
      try {
        response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
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

  Received take() throws InterruptedException {
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
