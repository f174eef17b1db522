package dev.herald.servlet;

import dev.herald.servlet.containers.ServletContainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;

/**
 * Tests run on each embedded servlet container ({@code @MethodSource("containers")}). What a test
 * opens goes to {@link #closeAfter}, closed after it in the reverse order: streams, then the
 * container, then the broker.
 */
abstract class OnEachContainer {
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  static Stream<ServletContainer> containers() {
    return ServletContainer.all();
  }

  @AfterEach
  void closeOpened() throws Exception {
    Collections.reverse(closeAfter);
    for (AutoCloseable c : closeAfter) c.close();
  }
}
