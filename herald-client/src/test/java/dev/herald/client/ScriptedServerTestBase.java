package dev.herald.client;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A scripted server and a recorder per test; every source built here is closed afterwards. */
abstract class ScriptedServerTestBase {
  /** Tests reconnect fast: a small delay, still long enough to be seen. */
  static final Duration TINY_DELAY = Duration.ofMillis(10);

  ScriptedServer server;
  final Recorder recorder = new Recorder();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void stopServer() throws Exception {
    for (AutoCloseable c : toClose) c.close();
    server.close();
  }

  /** A builder for {@code path} with tiny delays and the recorder attached for these types. */
  EventSource.Builder builder(String path, String... types) {
    EventSource.Builder b = EventSource.builder(server.url(path))
        .retryPolicy(RetryPolicy.DEFAULT.withInitialDelay(TINY_DELAY).withMaxDelay(TINY_DELAY));
    return recorder.attach(b, types);
  }

  <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  EventSource open(EventSource.Builder builder) {
    return closeLater(builder.build());
  }
}
