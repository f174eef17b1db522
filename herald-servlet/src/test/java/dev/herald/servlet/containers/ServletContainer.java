package dev.herald.servlet.containers;

import jakarta.servlet.Servlet;

/**
 * An embedded servlet container on 127.0.0.1 and a free port, serving one servlet (async
 * supported) at one path. The tests run the same specification on each kind.
 */
public interface ServletContainer extends AutoCloseable {
  /** Starts serving {@code servlet} at {@code pathSpec} ({@code /events}, {@code /*}). */
  default ServletContainer start(String pathSpec, Servlet servlet) throws Exception {
    return start(pathSpec, servlet, 50);
  }

  /** The same with at most {@code maxThreads} request threads. */
  ServletContainer start(String pathSpec, Servlet servlet, int maxThreads) throws Exception;

  int port();

  /** {@code http://127.0.0.1:PORT}. */
  default String origin() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  void close() throws Exception;

  /** The containers the adapter is tested on; a parameterized test's source. */
  static java.util.stream.Stream<ServletContainer> all() {
    return java.util.stream.Stream.of(new Tomcat(), new Jetty());
  }
}
