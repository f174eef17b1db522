package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.sqlite.SqliteEventLog;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code herald serve} in a process of its own, stopped the way supervisors stop it. */
@Timeout(120)
class HubSignalTest {
  @TempDir Path dir;

  @Test
  void sigtermClosesTheHubCleanlyAndExitsZero() throws Exception {
    try (HubProcess hub = HubProcess.start("sigterm", dir, "--data-dir", "data").awaitReady(Duration.ofSeconds(60))) {
      HttpResponse<String> health = new HubClient(hub.port()).get("/healthz");
      assertThat(health.statusCode()).isEqualTo(200);

      int exit = hub.terminate(Duration.ofSeconds(60));

      assertThat(exit).as("exit code; it printed:%n%s", hub.printed()).isZero();
      assertThat(hub.printed()).contains("Herald stopped").doesNotContain("Exception");
    }
    // The store was closed, not abandoned: its lock is free for the next hub.
    try (SqliteEventLog reopened = SqliteEventLog.open(dir.resolve("data"))) {
      assertThat(reopened.ready()).isTrue();
    }
  }
}
