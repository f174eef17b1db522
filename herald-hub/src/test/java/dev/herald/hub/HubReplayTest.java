package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.hub.auth.MercureSelector;
import dev.herald.sqlite.SqliteEventLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resumes on the hub's default store: no answer depends on private updates the subscriber may not see. */
class HubReplayTest {
  @TempDir Path dir;
  private Hub hub;
  private HubClient client;

  @BeforeEach
  void start() throws Exception {
    hub = Hub.start(HubPublishSubscribeTest.settings(true, 1024, "--replay-page-bytes", "64"),
        new Hub.Parts(TestAuth.authorizer(), SqliteEventLog.open(dir, 1_000, Duration.ofHours(1)), () -> true,
            MercureSelector::template, MercureSelector::urlPattern, null));
    client = new HubClient(hub.port());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** The response's Last-Event-ID header, then each event up to the one with data "three". */
  private List<String> resume(String query, String token, String lastEventId) throws Exception {
    List<String> seen = new ArrayList<>();
    try (HubClient.Stream s = client.resume(query, token, lastEventId)) {
      HubClient.Stream.Received e;
      do {
        e = s.take();
        // The cut carries no id of its own: only the events' ids are compared.
        seen.add(e.type() + " " + (e.type().equals("history-cut") ? "-" : e.id()) + " " + e.data());
      } while (!e.data().equals("three"));
      seen.add(0, "last-event-id " + s.response.headers().firstValue("last-event-id").orElse(null));
    }
    return seen;
  }

  @Test
  void aResumeAfterAPrivateUpdateAnAnonymousSubscriberMayNotSeeIsAnsweredAsAnUnknownId() throws Exception {
    String one = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "one").body().trim();
    String secret = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "secret", "private", "on").body().trim();
    String three = client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "three").body().trim();
    client.publish(TestAuth.PUB_ALL, "topic", "b", "data", "other topic");

    List<String> afterSecret = resume("topic=a", null, secret);
    List<String> afterUnknown = resume("topic=a", null, "urn:never-published");
    assertThat(afterSecret).containsExactly("last-event-id earliest",
        "history-cut - {\"lastEventId\":\"" + secret + "\",\"earliest\":\"" + one + "\"}",
        "message " + one + " one", "message " + three + " three");
    assertThat(String.join("\n", afterSecret).replace(secret, "ASKED"))
        .isEqualTo(String.join("\n", afterUnknown).replace("urn:never-published", "ASKED"));

    // A subscriber the update is for resumes after it, as from any id the store holds.
    assertThat(resume("topic=a", TestAuth.SUB_ALL, secret))
        .containsExactly("last-event-id " + secret, "message " + three + " three");
  }

  @Test
  void theReplayFiguresAreInTheMetrics() throws Exception {
    for (int i = 0; i < 20; i++) client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "e" + i);
    client.publish(TestAuth.PUB_ALL, "topic", "a", "data", "three");
    assertThat(resume("topic=a", null, "earliest")).hasSize(22);
    String metrics = client.get("/metrics").body();
    assertThat(metrics).contains("herald_replay_bytes ", "herald_replay_waiting ");
    assertThat(metrics).containsPattern("herald_replay_bytes_peak [1-9]");
  }
}
