package com.example.news;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.netty.util.Version;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application built against what mvn install put in a local repository: started on a free
 * loopback port, it publishes, and a client that comes back with Last-Event-ID gets what it
 * missed, then live events, over plain JDK HTTP.
 */
class NewsAppTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60); // a loaded build machine

  private final HttpClient http = HttpClient.newHttpClient();

  record Received(String id, String type, String data) {}

  @Test
  void aClientComingBackWithLastEventIdGetsWhatItMissedThenLiveEvents() throws Exception {
    try (ConfigurableApplicationContext app = SpringApplication.run(NewsApp.class,
        "--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off")) {
      String base = "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort();
      String one = publish(base, "one");
      String two = publish(base, "two");
      String three = publish(base, "three");

      BlockingQueue<Received> events = new LinkedBlockingQueue<>();
      // No HttpRequest.timeout: it would apply to the whole, endless, body.
      HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(URI.create(base + "/events?topic=news"))
          .header("Last-Event-ID", one).build(), HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/event-stream"));
      Thread reader = new Thread(() -> read(response.body(), events), "event-stream-reader");
      reader.setDaemon(true);
      reader.start();

      assertThat(take(events)).isEqualTo(new Received(two, "headline", "two"));
      assertThat(take(events)).isEqualTo(new Received(three, "headline", "three"));
      String four = publish(base, "four");
      assertThat(take(events)).isEqualTo(new Received(four, "headline", "four"));
      assertThat(events).as("nothing else, nothing twice").isEmpty();
      response.body().close();
    }
  }

  @Test
  void nettyIsBootsAndLettuceIsTheOneHeraldRedisIsBuiltOn() {
    // Boot's dependency management first: Boot's Netty, whatever herald-bom pins.
    assertThat(Version.identify().get("netty-common").artifactVersion())
        .isEqualTo(System.getProperty("boot.netty.version"));
    // The project's own lettuce-core entry: 7.5, not Boot's 6.8.
    assertThat(RedisClient.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .endsWith("lettuce-core-7.5.1.RELEASE.jar");
  }

  private String publish(String base, String title) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/news?title=" + title))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isNotBlank();
    return response.body();
  }

  /** The event-stream's id, event and data fields, one event per blank line; comments and retry: skipped. */
  private static void read(Stream<String> lines, BlockingQueue<Received> events) {
    String[] fields = new String[3];
    try {
      lines.forEach(line -> {
        if (line.isEmpty()) {
          if (fields[2] != null) events.add(new Received(fields[0], fields[1] == null ? "message" : fields[1], fields[2]));
          fields[1] = null;
          fields[2] = null;
          return;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) return;
        String value = line.substring(colon + 1).startsWith(" ") ? line.substring(colon + 2) : line.substring(colon + 1);
        switch (line.substring(0, colon)) {
          case "id" -> fields[0] = value;
          case "event" -> fields[1] = value;
          case "data" -> fields[2] = fields[2] == null ? value : fields[2] + "\n" + value;
          default -> { }
        }
      });
    } catch (UncheckedIOException e) {
      // the test closed the body: the stream's end
    }
  }

  private static Received take(BlockingQueue<Received> events) throws InterruptedException {
    Received e = events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (e == null) throw new AssertionError("no event within " + TIMEOUT);
    return e;
  }
}
