package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay against a fake OpenAI-compatible upstream on loopback, speaking its streaming format. */
class OpenAiUpstreamResponderTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A chat completions endpoint: records each request and answers with a scripted handler. */
  static final class FakeUpstream implements AutoCloseable {
    record Request(String method, Map<String, List<String>> headers, JsonNode body) {}

    interface Script {
      void answer(HttpExchange exchange) throws IOException;
    }

    final HttpServer server;
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    volatile Script script;

    FakeUpstream() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/v1/chat/completions", exchange -> {
        requests.add(new Request(exchange.getRequestMethod(), Map.copyOf(exchange.getRequestHeaders()),
            JSON.readTree(exchange.getRequestBody())));
        try {
          script.answer(exchange);
        } finally {
          exchange.close();
        }
      });
      server.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions");
    }

    /** Streams one chunk per token in the OpenAI format, then {@code data: [DONE]}. */
    static Script streaming(String... tokens) {
      return exchange -> {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        write(out, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
        for (String token : tokens) {
          write(out, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
              + "\"delta\":{\"content\":" + JSON.writeValueAsString(token) + "},\"finish_reason\":null}]}\n\n");
        }
        write(out, ": keep-alive\n\ndata: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        write(out, "data: [DONE]\n\n");
      };
    }

    static void write(OutputStream out, String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    Request take() throws InterruptedException {
      Request r = requests.poll(10, TimeUnit.SECONDS);
      if (r == null) throw new AssertionError("no upstream request within 10 s");
      return r;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private FakeUpstream upstream;

  @BeforeEach
  void start() throws IOException {
    upstream = new FakeUpstream();
  }

  @AfterEach
  void stop() {
    upstream.close();
  }

  @Test
  void relaysEachDeltaAsATokenUntilDone() throws Exception {
    upstream.script = FakeUpstream.streaming("Hel", "lo", ", wor", "ld ✓");
    try (OpenAiUpstreamResponder responder = OpenAiUpstreamResponder.fromEnvironment(upstream.uri(),
        Map.of(OpenAiUpstreamResponder.API_KEY_ENV, "sk-test", OpenAiUpstreamResponder.MODEL_ENV, "tiny"))) {
      OfflineResponderTest.Recorder r = new OfflineResponderTest.Recorder();
      responder.respond("Say hello", r);
      assertThat(r.take()).isEqualTo("Hel");
      assertThat(r.take()).isEqualTo("lo");
      assertThat(r.take()).isEqualTo(", wor");
      assertThat(r.take()).isEqualTo("ld ✓");
      assertThat(r.take()).isEqualTo("<done>");
      FakeUpstream.Request request = upstream.take();
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.headers().get("Authorization")).containsExactly("Bearer sk-test");
      assertThat(request.headers().get("Content-type")).containsExactly("application/json");
      assertThat(request.body()).isEqualTo(JSON.readTree(
          "{\"model\":\"tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}"));
      assertThat(r.calls).isEmpty();
    }
  }

  @Test
  void withoutAKeyNoAuthorizationIsSentAndTheDefaultModelIsAsked() throws Exception {
    upstream.script = FakeUpstream.streaming("ok");
    try (OpenAiUpstreamResponder responder = OpenAiUpstreamResponder.fromEnvironment(upstream.uri(), Map.of())) {
      OfflineResponderTest.Recorder r = new OfflineResponderTest.Recorder();
      responder.respond("hi", r);
      assertThat(r.text()).isEqualTo("ok");
      FakeUpstream.Request request = upstream.take();
      assertThat(request.headers()).doesNotContainKey("Authorization");
      assertThat(request.body().get("model").asText()).isEqualTo(OpenAiUpstreamResponder.DEFAULT_MODEL);
    }
  }

  @Test
  void anUpstreamErrorEndsTheReplyWithItsStatusAndMessage() throws Exception {
    upstream.script = exchange -> {
      byte[] body = "{\"error\":{\"message\":\"Incorrect API key\"}}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(401, body.length);
      exchange.getResponseBody().write(body);
    };
    try (OpenAiUpstreamResponder responder = new OpenAiUpstreamResponder(upstream.uri(), "bad", "m")) {
      OfflineResponderTest.Recorder r = new OfflineResponderTest.Recorder();
      responder.respond("hi", r);
      assertThat(r.take()).isEqualTo("<error: the chat upstream answered 401: {\"error\":{\"message\":\"Incorrect API key\"}}>");
      assertThat(r.calls).isEmpty();
    }
  }

  @Test
  void anUnreachableUpstreamEndsTheReplyWithAnError() throws Exception {
    URI closed = upstream.uri();
    upstream.close();
    try (OpenAiUpstreamResponder responder = new OpenAiUpstreamResponder(closed, null, "m")) {
      OfflineResponderTest.Recorder r = new OfflineResponderTest.Recorder();
      responder.respond("hi", r);
      assertThat(r.take()).startsWith("<error: the chat upstream failed");
    }
  }

  @Test
  void aCancelledRelayStopsReadingTheUpstream() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.script = exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      FakeUpstream.write(out, "data: {\"choices\":[{\"delta\":{\"content\":\"first\"}}]}\n\n");
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        FakeUpstream.write(out, "data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\ndata: [DONE]\n\n");
      } catch (IOException expected) {
        // the relay hung up
      }
    };
    try (OpenAiUpstreamResponder responder = new OpenAiUpstreamResponder(upstream.uri(), null, "m")) {
      OfflineResponderTest.Recorder r = new OfflineResponderTest.Recorder();
      ChatResponder.Reply reply = responder.respond("hi", r);
      assertThat(r.take()).isEqualTo("first");
      reply.cancel();
      release.countDown();
      OfflineResponderTest.Recorder after = new OfflineResponderTest.Recorder();
      upstream.script = FakeUpstream.streaming("next");
      responder.respond("again", after);
      assertThat(after.text()).isEqualTo("next");
      assertThat(r.calls).isEmpty();
    }
  }
}
