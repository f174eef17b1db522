package dev.herald.server;

import dev.herald.testing.EventStreamReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every resumed stream says where it resumes (Mercure: a {@code Last-Event-ID} response header
 * whenever the request carried one): the id asked for when the history holds it, else
 * {@code earliest}. A client that is not an {@code EventSource} compares it with what it asked for
 * to see whether events were lost.
 */
class ResumeHeaderTest {
  private HeraldServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Optional<String> resumedAfter(String query, String lastEventId) throws Exception {
    try (EventStreamReader s = EventStreamReader.open(client,
        URI.create("http://127.0.0.1:" + server.port() + "/events?topic=t" + query), lastEventId)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> s.response != null || s.failure != null);
      assertThat(s.response.statusCode()).isEqualTo(200);
      return s.response.headers().firstValue("last-event-id");
    }
  }

  @Test
  void everyResumeIsAnsweredWithTheIdItResumesAfter() throws Exception {
    server.broker().publish("t", Event.of("one")).toCompletableFuture().join();
    String own = "urn:ünïcode:1";
    server.broker().publish("t", Event.builder().id(own).data("two").build()).toCompletableFuture().join();
    server.broker().publish("t", Event.of("three")).toCompletableFuture().join();

    assertThat(resumedAfter("", null)).as("not a resume").isEmpty();
    assertThat(resumedAfter("", "#1")).contains("#1");
    assertThat(resumedAfter("", "#3")).as("nothing follows it").contains("#3");
    assertThat(resumedAfter("", "no-such-id")).contains(EventLog.EARLIEST);
    assertThat(resumedAfter("&lastEventID=earliest", null)).contains(EventLog.EARLIEST);
    // Any id, as the UTF-8 bytes the request carried it in (here in the query: the JDK client
    // sends only ASCII header values); the JDK reads header bytes as ISO-8859-1.
    assertThat(resumedAfter("&lastEventID=" + URLEncoder.encode(own, StandardCharsets.UTF_8), null))
        .contains(new String(own.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
  }

  @Test
  void aConfiguredResumeHeaderCarriesTheSameIdAndCrossOriginReadersMaySeeIt() throws Exception {
    server.close();
    server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).resumeHeader("Mercure-Last-Event-ID")
        .streamHeader("link", "</events>; rel=\"mercure\"").cors(CorsPolicy.allowOrigins("https://app.example"))
        .build().start();
    String first = server.broker().publish("t", Event.of("one")).toCompletableFuture().join();
    server.broker().publish("t", Event.of("two")).toCompletableFuture().join();
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t", "Last-Event-ID: " + first, "Origin: https://app.example").readHead();
      assertThat(c.headers).containsEntry("last-event-id", first).containsEntry("mercure-last-event-id", first)
          .containsEntry("access-control-expose-headers", "last-event-id, mercure-last-event-id, link");
      c.awaitBody("data: two\n\n");
    }
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t", "Last-Event-ID: gone").readHead();
      assertThat(c.headers).containsEntry("mercure-last-event-id", EventLog.EARLIEST);
    }
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events?topic=t").readHead();
      assertThat(c.headers).doesNotContainKeys("last-event-id", "mercure-last-event-id");
    }
    assertThatThrownBy(() -> HeraldServer.builder().resumeHeader("bad name:")).isInstanceOf(IllegalArgumentException.class);
  }
}
