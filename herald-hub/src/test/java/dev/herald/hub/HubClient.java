package dev.herald.hub;

import dev.herald.testing.EventStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

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

  /** One subscription to the hub, read on its own thread. */
  final class Stream extends EventStreamReader {
    Stream(String query, String token, String lastEventId) {
      super(http, request(base + Hub.PATH + "?" + query, token, lastEventId));
    }
  }

  Stream subscribe(String query, String token) {
    return new Stream(query, token, null);
  }

  Stream resume(String query, String token, String lastEventId) {
    return new Stream(query, token, lastEventId);
  }
}
