package dev.herald.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.herald.servlet.containers.ServletContainer;
import dev.herald.servlet.internal.NonBlockingOutput;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The servlet side of a stream, on each container: frames queued from any thread go out in order,
 * a client that does not read never blocks the thread that writes to it, and a client that hangs
 * up is noticed.
 */
class NonBlockingOutputTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Streams whose output the test drives, one per GET. */
  static final class OutputServlet extends HttpServlet {
    record Opened(NonBlockingOutput output, CountDownLatch closed) {}

    final BlockingQueue<Opened> opened = new LinkedBlockingQueue<>();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.setContentType("text/event-stream");
      res.setCharacterEncoding("UTF-8");
      AsyncContext async = req.startAsync();
      async.setTimeout(0);
      CountDownLatch closed = new CountDownLatch(1);
      NonBlockingOutput output = new NonBlockingOutput(async, res.getOutputStream(), new NonBlockingOutput.Listener() {
        @Override
        public void drained() {}

        @Override
        public void closed() {
          closed.countDown();
        }
      });
      output.start();
      opened.add(new Opened(output, closed));
    }
  }

  static java.util.stream.Stream<ServletContainer> containers() {
    return ServletContainer.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void framesWrittenFromAnotherThreadArriveInOrderAndTheEndCompletesTheResponse(ServletContainer container)
      throws Exception {
    OutputServlet servlet = new OutputServlet();
    try (container) {
      container.start("/stream", servlet);
      HttpClient client = HttpClient.newHttpClient();
      var body = client.sendAsync(HttpRequest.newBuilder(URI.create(container.origin() + "/stream")).build(),
          HttpResponse.BodyHandlers.ofString());
      OutputServlet.Opened stream = servlet.opened.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < 2_000; i++) {
        String frame = "id: " + i + "\ndata: event " + i + "\n\n";
        expected.append(frame);
        assertThat(stream.output().write(ByteBuffer.wrap(frame.getBytes(StandardCharsets.UTF_8)))).isTrue();
        if (i % 7 == 0) stream.output().flush();
      }
      stream.output().end();
      assertThat(stream.output().write(ByteBuffer.wrap("data: late\n\n".getBytes(StandardCharsets.UTF_8))))
          .as("nothing is written after the end").isFalse();
      HttpResponse<String> response = body.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(expected.toString());
      assertThat(stream.closed().await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aClientThatStopsReadingNeverBlocksTheThreadThatWritesToIt(ServletContainer container) throws Exception {
    OutputServlet servlet = new OutputServlet();
    try (container; Socket socket = new Socket()) {
      container.start("/stream", servlet);
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", container.port()));
      OutputStream out = socket.getOutputStream();
      out.write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      OutputServlet.Opened stream = servlet.opened.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      byte[] frame = ("data: " + "x".repeat(1018) + "\n\n").getBytes(StandardCharsets.UTF_8);
      // 32 MiB to a client that reads nothing: far more than socket buffers and the container's
      // own buffer hold, so a blocking write would hang here.
      assertTimeoutPreemptively(TIMEOUT, () -> {
        for (int i = 0; i < 32 * 1024; i++) {
          stream.output().write(ByteBuffer.wrap(frame));
          stream.output().flush();
        }
      });
      assertThat(stream.output().queuedBytes()).as("bytes the client has not taken").isGreaterThan(16L * 1024 * 1024);
      stream.output().abort();
      assertThat(stream.closed().await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(stream.output().queuedBytes()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aClientThatHangsUpIsNoticedAtTheNextWrite(ServletContainer container) throws Exception {
    OutputServlet servlet = new OutputServlet();
    try (container) {
      container.start("/stream", servlet);
      OutputServlet.Opened stream;
      try (Socket socket = new Socket("127.0.0.1", container.port())) {
        socket.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        stream = servlet.opened.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        stream.output().write(ByteBuffer.wrap(": hello\n\n".getBytes(StandardCharsets.UTF_8)));
        stream.output().flush();
        InputStream in = socket.getInputStream();
        byte[] head = new byte[256];
        assertThat(in.read(head)).isPositive();
      }
      byte[] heartbeat = ":\n".getBytes(StandardCharsets.UTF_8);
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
        // Writes fail only once the peer's reset came back: keep writing, as heartbeats do.
        stream.output().write(ByteBuffer.wrap(heartbeat));
        stream.output().flush();
        return stream.closed().getCount() == 0;
      });
      assertThat(stream.output().isOpen()).isFalse();
    }
  }

  /**
   * Streams whose frames are written and flushed from another thread while the request is still
   * starting, racing {@link NonBlockingOutput#start()}, then ended: as the broker's loop does when
   * it replays history to a stream the container thread has just opened.
   */
  static final class RacingServlet extends HttpServlet {
    static final int FRAMES = 40;
    final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.setContentType("text/event-stream");
      AsyncContext async = req.startAsync();
      async.setTimeout(0);
      NonBlockingOutput output = new NonBlockingOutput(async, res.getOutputStream(), new NonBlockingOutput.Listener() {
        @Override
        public void drained() {}

        @Override
        public void closed() {}
      });
      CountDownLatch go = new CountDownLatch(1);
      Thread writer = new Thread(() -> {
        try {
          go.await();
          for (int i = 0; i < FRAMES; i++) {
            output.write(ByteBuffer.wrap(("data: " + i + "\n\n").getBytes(StandardCharsets.UTF_8)));
            output.flush();
          }
          output.end();
        } catch (Throwable t) {
          failures.add(t);
        }
      }, "racing-writer");
      writer.start();
      go.countDown();
      output.start();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void framesFlushedFromAnotherThreadWhileTheRequestStartsWaitForTheContainer(ServletContainer container)
      throws Exception {
    RacingServlet servlet = new RacingServlet();
    try (container) {
      container.start("/stream", servlet);
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < RacingServlet.FRAMES; i++) expected.append(i).append(',');
      for (int request = 0; request < 300; request++) {
        try (ChunkedStream stream = new ChunkedStream(container.port())) {
          ChunkedStream.Head head = stream.send("/stream", null).readHead();
          assertThat(head.status()).as("request %d", request).isEqualTo(200);
          StringBuilder data = new StringBuilder();
          boolean ended = stream.readBody(head, dev.herald.protocol.EventStreamParser.create(
              (type, d, id) -> data.append(d).append(',')));
          assertThat(ended).as("request %d ended cleanly", request).isTrue();
          assertThat(data).as("request %d", request).hasToString(expected.toString());
        }
      }
      assertThat(servlet.failures).isEmpty();
    }
  }
}
