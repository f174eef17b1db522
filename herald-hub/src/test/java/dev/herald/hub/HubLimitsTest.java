package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.auth.DevKeys;
import dev.herald.testing.EventStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The limits `herald serve` sets: update size (the body limit follows it) and the slow-consumer bound. */
@Timeout(60)
class HubLimitsTest {
  private static final String SECRET = "hub-limits-test-hs256-secret-0123456789ab";

  private static Hub hub(String... more) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("--bind", "127.0.0.1", "--port", "0",
        "--publisher-key", SECRET, "--anonymous", "--demo=false", "--store", "memory"));
    all.addAll(List.of(more));
    return ServeArgs.start(all.toArray(String[]::new));
  }

  private static String publisher() {
    return DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of("*"), List.of(),
        Instant.now().plus(Duration.ofHours(1)));
  }

  @Test
  void updatesUpToMaxDataBytesGoThroughEvenAboveTheDefaultBodyLimit() throws Exception {
    try (Hub hub = hub("--max-data-bytes", Integer.toString(3 << 20))) {
      HubClient client = new HubClient(hub.port());
      String big = "x".repeat(2 << 20); // 2 MiB: over the server's default 1 MiB body limit
      try (HubClient.Stream s = client.subscribe("topic=big", null)) {
        await().until(() -> hub.server().broker().subscriberCount("big") == 1);
        HttpResponse<String> published = client.publish(publisher(), "topic", "big", "data", big);
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        assertThat(s.take().data()).isEqualTo(big);
      }
      HttpResponse<String> tooBig = client.publish(publisher(), "topic", "big", "data", "x".repeat((3 << 20) + 1));
      assertThat(tooBig.statusCode()).isEqualTo(413);
      assertThat(tooBig.body()).contains("data over the size limit of 3145728 bytes");
    }
  }

  @Test
  void aSubscriberHoldingMoreThanMaxOutboundBytesIsClosedAsASlowConsumer() throws Exception {
    try (Hub hub = hub("--max-outbound-bytes", "65536");
        Socket stalled = new Socket("127.0.0.1", hub.port())) {
      stalled.setReceiveBufferSize(4096);
      stalled.getOutputStream().write(("GET " + Hub.PATH + "?topic=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      await().until(() -> hub.server().broker().subscriberCount("slow") == 1);
      HubClient client = new HubClient(hub.port());
      String chunk = "y".repeat(256 * 1024);
      // It never reads: once the socket's buffers are full, frames wait in the hub, beyond 64 KiB.
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        client.publish(publisher(), "topic", "slow", "data", chunk);
        return hub.server().broker().subscriberCount("slow") == 0;
      });
      assertThat(client.get("/metrics").body()).contains("herald_slow_consumers_closed_total 1.0");
    }
  }

  @Test
  void withMaxStreamLifetimeEveryStreamEndsAfterNinetyToOneHundredPercentOfItAndTheClientMayResume() throws Exception {
    try (Hub hub = hub("--max-stream-lifetime", "PT1S")) {
      java.net.http.HttpRequest subscribe = java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + hub.port() + Hub.PATH + "?topic=news"))
          .header("Accept", "text/event-stream").build();
      for (int i = 0; i < 2; i++) { // and again: an ended stream is no refusal
        long opened = System.nanoTime();
        HttpResponse<java.io.InputStream> stream =
            EventStreamReader.HTTP.send(subscribe, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (java.io.InputStream in = stream.body()) {
          in.transferTo(OutputStream.nullOutputStream()); // returns when the hub ends the stream
        }
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
      }
    }
  }
}
