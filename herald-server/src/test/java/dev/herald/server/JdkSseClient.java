package dev.herald.server;

import dev.herald.protocol.EventStreamParser;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One event stream read with the JDK {@link HttpClient} and Herald's parser, on a thread of its
 * own; events land in a queue for the test to take.
 */
final class JdkSseClient implements AutoCloseable {
  record Received(String type, String data, String id, long receivedNanos) {}

  final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
  volatile HttpResponse<InputStream> response;
  volatile Throwable failure;
  volatile boolean ended;
  private final Thread reader;

  private JdkSseClient(HttpClient client, HttpRequest request) {
    reader = new Thread(() -> {
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        EventStreamParser parser = EventStreamParser.create(
            (type, data, id) -> events.add(new Received(type, data, id, System.nanoTime())));
        try (InputStream in = response.body()) {
          byte[] buf = new byte[8192];
          int n;
          while ((n = in.read(buf)) >= 0) parser.feed(buf, 0, n);
        }
        ended = true;
      } catch (Throwable t) {
        failure = t;
      }
    }, "test-sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static JdkSseClient open(HttpClient client, URI uri, String lastEventId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    return new JdkSseClient(client, b.build());
  }

  Received take() throws InterruptedException {
    Received r = events.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      HttpResponse<InputStream> head = response;
      throw new AssertionError("no event within 10 s" + (failure != null ? ": " + failure : "")
          + (head == null ? ", no response" : ", status " + head.statusCode() + (ended ? ", ended" : "")));
    }
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
