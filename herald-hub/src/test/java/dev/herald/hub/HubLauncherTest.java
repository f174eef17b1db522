package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HubLauncherTest {
  @Test
  void aRunningHubClosesItsResourcesOnceHoweverOftenItIsClosed() {
    // herald serve closes from its shutdown hook and again as main returns: --dev-tls's certificate
    // files were deleted twice, and the second time warned "Failed to delete a file".
    AtomicInteger closes = new AtomicInteger();
    HubLauncher.Running running = new HubLauncher.Running(null, List.of(closes::incrementAndGet));
    running.close();
    running.close();
    assertThat(closes).hasValue(1);
  }
}
