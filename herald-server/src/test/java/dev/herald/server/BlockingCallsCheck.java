package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which {@link EventLoopBlockingCheck} saw a blocking call on an event loop.
 * Loaded by JUnit's extension auto-detection wherever the test jar is; it names no BlockHound type,
 * so where BlockHound is absent it loads and finds nothing.
 */
public final class BlockingCallsCheck implements AfterEachCallback {
  static final List<String> DETECTED = new CopyOnWriteArrayList<>();

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> found = List.copyOf(DETECTED);
    DETECTED.clear();
    assertThat(found).as("blocking calls on an event loop during " + context.getDisplayName()).isEmpty();
  }
}
