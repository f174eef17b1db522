package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.hub.auth.MercureSelector;
import dev.herald.server.Broker;
import dev.herald.server.InMemoryEventLog;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /readyz} asks the store, which may wait (the SQLite store waits for a pooled read
 * connection while replays hold them): it must wait off the event loop, so everything else on that
 * loop is still served meanwhile. One event loop here, so a blocked loop would stall {@code /healthz}.
 */
@Timeout(60)
class HubReadinessTest {
  @Test
  void aReadinessProbeThatWaitsHoldsNoEventLoop() throws Exception {
    CountDownLatch probeStarted = new CountDownLatch(1);
    CountDownLatch storeAnswers = new CountDownLatch(1);
    InMemoryEventLog log = InMemoryEventLog.create();
    Hub hub = Hub.start(HubPublishSubscribeTest.settings(true, 1024), new Hub.Parts(TestAuth.authorizer(),
        log, () -> {
          probeStarted.countDown();
          try {
            return storeAnswers.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }, MercureSelector::template, MercureSelector::urlPattern, null), Broker.builder(log).ioThreads(1).build());
    try {
      HubClient client = new HubClient(hub.port());
      CompletableFuture<HttpResponse<String>> ready = client.http.sendAsync(
          HttpRequest.newBuilder(URI.create(client.base + "/readyz")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(probeStarted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(client.get("/healthz").body()).isEqualTo("ok\n");
      assertThat(ready).isNotDone();
      storeAnswers.countDown();
      HttpResponse<String> r = ready.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ready\n");
    } finally {
      hub.close();
    }
  }
}
