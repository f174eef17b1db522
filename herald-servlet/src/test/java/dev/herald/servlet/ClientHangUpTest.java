package dev.herald.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventStreamParser;
import dev.herald.server.Broker;
import dev.herald.server.InMemoryEventLog;
import dev.herald.servlet.containers.ServletContainer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that hangs up while events keep coming: its stream ends, its request is completed once,
 * and nothing meant for it lands in a later request's response (containers recycle a finished
 * request's response and buffers for the next request, possibly on another connection).
 */
class ClientHangUpTest extends OnEachContainer {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int ROUNDS = 30;
  private static final String CLIENT = "X-Test-Client";

  /** Herald's servlet, counting each request's {@code AsyncContext.complete()} calls by its X-Test-Client. */
  static final class CountingServlet extends HttpServlet {
    final Map<String, AtomicInteger> completes = new ConcurrentHashMap<>();
    private final HeraldServlet herald;

    CountingServlet(HeraldServlet herald) {
      this.herald = herald;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws ServletException, IOException {
      String client = req.getHeader(CLIENT);
      if (client == null) {
        herald.service((ServletRequest) req, res);
        return;
      }
      AtomicInteger count = completes.computeIfAbsent(client, c -> new AtomicInteger());
      herald.service((ServletRequest) new HttpServletRequestWrapper(req) {
        @Override
        public AsyncContext startAsync() {
          return new CountingAsyncContext(super.startAsync(), count);
        }
      }, res);
    }
  }

  private record CountingAsyncContext(AsyncContext async, AtomicInteger completes) implements AsyncContext {
    @Override
    public void complete() {
      completes.incrementAndGet();
      async.complete();
    }

    @Override
    public ServletRequest getRequest() {
      return async.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
      return async.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
      return async.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
      async.dispatch();
    }

    @Override
    public void dispatch(String path) {
      async.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
      async.dispatch(context, path);
    }

    @Override
    public void start(Runnable run) {
      async.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
      async.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
      async.addListener(listener, request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
      return async.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
      async.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
      return async.getTimeout();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aClientThatHangsUpMidStreamIsCompletedOnceAndItsEventsReachNoOtherResponse(ServletContainer container)
      throws Exception {
    Broker broker = Broker.builder(InMemoryEventLog.create()).heartbeatInterval(Duration.ofMinutes(5)).build();
    closeAfter.add(broker);
    CountingServlet servlet = new CountingServlet(HeraldServlet.builder(broker).build());
    closeAfter.add(container);
    container.start("/events", servlet, 8); // few threads: requests share recycled processors

    // Events keep coming the whole time, each one's data marked as meant for the hung-up streams.
    AtomicBoolean publishing = new AtomicBoolean(true);
    Thread publisher = new Thread(() -> {
      List<CompletableFuture<String>> inFlight = new ArrayList<>();
      for (int n = 0; publishing.get(); n++) {
        inFlight.add(broker.publish("news", Event.of("for-the-hung-up-" + n)).toCompletableFuture());
        if (inFlight.size() >= 4) inFlight.remove(0).join();
      }
      inFlight.forEach(CompletableFuture::join);
    }, "hang-up-publisher");
    publisher.start();
    closeAfter.add(() -> {
      publishing.set(false);
      publisher.join();
    });

    String refusal = null;
    for (int round = 0; round < ROUNDS; round++) {
      String client = "c" + round;
      try (ChunkedStream hangingUp = new ChunkedStream(container.port())) {
        ChunkedStream.Head head = hangingUp.send("/events?topic=news", null, CLIENT + ": " + client + "\r\n").readHead();
        assertThat(head.status()).isEqualTo(200);
        AtomicInteger events = new AtomicInteger();
        int hangUpAfter = 1 + round % 7;
        EventStreamParser parser = EventStreamParser.create((type, data, id) -> {
          if (events.incrementAndGet() == hangUpAfter) throw new IllegalStateException("hang up");
        });
        try {
          hangingUp.readBody(head, parser);
        } catch (IllegalStateException hangUp) {
          hangingUp.hangUp();
        }
        assertThat(events).as("events before hanging up").hasValue(hangUpAfter);
      }

      // Requests that end at once, one after the other on a connection kept alive: each may get
      // the response the hung-up stream used (Tomcat closes a connection after 100 requests).
      ChunkedStream reused = new ChunkedStream(container.port());
      closeAfter.add(reused);
      for (int i = 0; i < 5; i++) {
        // 406: a status after which containers keep the connection (Tomcat closes it after a 400).
        ChunkedStream.Head head = reused.get("/events?topic=news", "Accept: application/json\r\n").readHead();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        assertThat(reused.readBody(head, body::write)).isTrue();
        String text = body.toString(StandardCharsets.UTF_8);
        assertThat(head.status()).as(text).isEqualTo(406);
        if (refusal == null) refusal = text;
        assertThat(text).as("the refusal, and nothing else").isEqualTo(refusal).doesNotContain("for-the-hung-up");
      }

      AtomicInteger completes = servlet.completes.get(client);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(completes).as("complete() calls").hasValue(1));
    }
    await().atMost(TIMEOUT).until(() -> broker.connectionCount() == 0);
    // Late arrivals: every request was completed exactly once, none twice.
    for (Map.Entry<String, AtomicInteger> e : servlet.completes.entrySet()) {
      assertThat(e.getValue()).as("complete() calls for %s", e.getKey()).hasValue(1);
    }
    assertThat(servlet.completes).hasSize(ROUNDS);
  }
}
