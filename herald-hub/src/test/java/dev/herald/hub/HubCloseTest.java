package dev.herald.hub;

import dev.herald.hub.auth.MercureSelector;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.InMemoryEventLog;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HubCloseTest {
  @Test
  void aHubClosesItsResourcesOnceHoweverOftenItIsClosed() {
    // herald serve closes from its shutdown hook and again as main returns: --dev-tls's certificate
    // files were deleted twice, and the second time warned "Failed to delete a file".
    AtomicInteger closes = new AtomicInteger();
    HubSettings settings = ServeArgs.settings("--bind", "127.0.0.1", "--port", "0", "--store", "memory", "--demo=false");
    Hub hub = Hub.start(settings, new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true,
        MercureSelector::template, MercureSelector::urlPattern, null, null, null, null, List.of(closes::incrementAndGet)));
    hub.close();
    hub.close();
    assertThat(closes).hasValue(1);
  }
}
