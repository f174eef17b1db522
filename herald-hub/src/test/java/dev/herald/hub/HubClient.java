package dev.herald.hub;

import dev.herald.protocol.EventStreamParser;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Publishes and subscribes to a hub over HTTP from a test, with the JDK client. */
final class HubClient {
  final HttpClient http = HttpClient.newHttpClient();
  final String base;

  HubClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  static String form(String... pairs) {
    StringJoiner j = new StringJoiner("&");
    for (int i = 0; i < pairs.length; i += 2) {
      j.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return j.toString();
  }

  HttpResponse<String> post(String token, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + Hub.PATH))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> publish(String token, String... formPairs) throws Exception {
    return post(token, "application/x-www-form-urlencoded", form(formPairs));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One subscription read on its own thread. */
  final class Stream implements AutoCloseable {
    record Received(String type, String data, String id) {}

    final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
    volatile HttpResponse<InputStream> response;
    private final Thread reader;

    Stream(String query, String token, String lastEventId) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + Hub.PATH + "?" + query))
          .header("Accept", "text/event-stream");
      if (token != null) b.header("Authorization", "Bearer " + token);
      if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
      HttpRequest request = b.build();
      reader = new Thread(() -> {
        try {
          response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
          EventStreamParser parser = EventStreamParser.create((t, d, id) -> events.add(new Received(t, d, id)));
          try (InputStream in = response.body()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) parser.feed(buf, 0, n);
          }
        } catch (Exception ignored) {
          // closed by the test
        }
      });
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
      if (response != null) response.body().close();
      reader.interrupt();
      reader.join(5000);
    }
  }

  Stream subscribe(String query, String token) {
    return new Stream(query, token, null);
  }

  Stream resume(String query, String token, String lastEventId) {
    return new Stream(query, token, lastEventId);
  }
}
