package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.internal.RealBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A resume reads its history a page at a time; what it answers tells nothing about others' private updates. */
class ReplayTest {
  private static final TopicSelector PRIVATE_IF_AUTH = request -> new Subscription(Set.of("t"), List.of(),
      request.queryParam("auth").isPresent() ? List.of(TopicPattern.glob("t")) : List.of());

  private HeraldServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private void start(Broker broker, TopicSelector selector) {
    server = HeraldServer.builder().broker(broker).topicSelector(selector).bindAddress("127.0.0.1").port(0).build()
        .start();
  }

  @Test
  void aResumeAfterAPrivateUpdateTheSubscriberMayNotSeeIsAnsweredAsAnUnknownId() throws Exception {
    start(Broker.builder(InMemoryEventLog.create()).build(), PRIVATE_IF_AUTH);
    server.broker().publish("t", Event.of("one"));
    String secret = server.broker().publish(List.of("t"), Event.of("secret"), true).toCompletableFuture().get();
    server.broker().publish("t", Event.of("three"));

    String afterSecret = resume("/events?topic=t", secret);
    String afterUnknown = resume("/events?topic=t", "never-published");
    assertThat(afterSecret).startsWith("last-event-id: earliest\n")
        .contains("event: history-cut\ndata: {\"lastEventId\":\"" + secret + "\",\"earliest\":\"#1\"}")
        .doesNotContain("secret\n");
    assertThat(afterSecret.replace(secret, "ASKED")).isEqualTo(afterUnknown.replace("never-published", "ASKED"));
    // Who may see it resumes after it, as from any id the log holds.
    assertThat(resume("/events?topic=t&auth=1", secret))
        .isEqualTo("last-event-id: " + secret + "\nretry: 3000\n\nid: #3\ndata: three\n\n");
  }

  @Test
  void aHistoryOfManyPagesArrivesOnceInOrderAndLiveEventsFollowIt() throws Exception {
    // Pages of about four events: the 500 events take over a hundred pages.
    long page = 4 * (2 * 25 + 256);
    Broker broker = Broker.builder(InMemoryEventLog.create()).replayPageBytes(page).maxReplayBytes(page).build();
    start(broker, request -> new Subscription(Set.of(), List.of(TopicPattern.glob("t*"))));
    for (int i = 1; i <= 500; i++) broker.publish(i % 3 == 0 ? "other" : "t" + (i % 2), Event.of("event " + i));
    try (RawClient c = RawClient.connect(server.port())) {
      c.get("/events", "Last-Event-ID: earliest").readHead();
      // Published while the replay may still run: held, then sent after the history, once.
      for (int i = 501; i <= 510; i++) broker.publish("t1", Event.of("event " + i));
      String body = c.awaitBody("data: event 510\n", Duration.ofSeconds(60));
      List<Integer> expected = new ArrayList<>();
      for (int i = 1; i <= 510; i++) if (i % 3 != 0 || i > 500) expected.add(i);
      assertThat(ids(body)).isEqualTo(expected);
    }
    await().until(() -> ((RealBroker) broker).replayBytes() == 0);
    assertThat(((RealBroker) broker).replayBytesPeak()).isPositive().isLessThanOrEqualTo(page);
  }

  /** The response's Last-Event-ID header and its body up to the event "three". */
  private String resume(String target, String lastEventId) throws Exception {
    try (RawClient c = RawClient.connect(server.port())) {
      c.get(target, "Last-Event-ID: " + lastEventId).readHead();
      return "last-event-id: " + c.headers.get("last-event-id") + "\n" + c.awaitBody("data: three\n\n");
    }
  }

  private static List<Integer> ids(String body) {
    List<Integer> ids = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^id: #(\\d+)$").matcher(body);
    while (m.find()) ids.add(Integer.parseInt(m.group(1)));
    return ids;
  }
}
