package dev.herald.hub.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.protocol.EventStreamParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the chat demo to an OpenAI-compatible streaming chat endpoint (a
 * {@code /v1/chat/completions} URL): posts {@code {model, messages, stream: true}} and turns each
 * {@code data: {json}} chunk's {@code choices[0].delta.content} into a token, until
 * {@code data: [DONE]}.
 *
 * <p>The API key comes from the environment variable {@value #API_KEY_ENV}, never from the command
 * line (where it would show in process lists); the model from {@value #MODEL_ENV}, default
 * {@value #DEFAULT_MODEL}.
 */
public final class OpenAiUpstreamResponder implements ChatResponder {
  /** Environment variable holding the upstream's API key, sent as {@code Authorization: Bearer}. */
  public static final String API_KEY_ENV = "HERALD_CHAT_API_KEY";
  /** Environment variable naming the model to ask for. */
  public static final String MODEL_ENV = "HERALD_CHAT_MODEL";
  public static final String DEFAULT_MODEL = "gpt-4o-mini";
  /** Time to connect to the upstream. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Longest error body quoted back to the person chatting. */
  private static final int MAX_ERROR_CHARS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiUpstreamResponder.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String apiKey;
  private final String model;
  private final HttpClient http;
  private final ExecutorService readers;

  /**
   * @param endpoint the streaming chat completions URL
   * @param apiKey the bearer token, or null to send none (a local model server, say)
   * @param model the model to ask for
   */
  public OpenAiUpstreamResponder(URI endpoint, String apiKey, String model) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (!endpoint.getScheme().equals("http") && !endpoint.getScheme().equals("https")) {
      throw new IllegalArgumentException("the chat upstream must be an http or https URL: " + endpoint);
    }
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    this.model = Objects.requireNonNull(model, "model");
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    // One reader per reply under way: the body is read with blocking calls.
    this.readers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "herald-chat-upstream");
      t.setDaemon(true);
      return t;
    });
  }

  /** A relay to {@code endpoint} with the key and model taken from {@code env}. */
  public static OpenAiUpstreamResponder fromEnvironment(URI endpoint, Map<String, String> env) {
    String model = env.getOrDefault(MODEL_ENV, "");
    return new OpenAiUpstreamResponder(endpoint, env.get(API_KEY_ENV), model.isBlank() ? DEFAULT_MODEL : model.strip());
  }

  @Override
  public Reply respond(String message, Sink sink) {
    Objects.requireNonNull(sink, "sink");
    AtomicBoolean cancelled = new AtomicBoolean();
    InputStream[] body = new InputStream[1];
    Future<?> task = readers.submit(() -> relay(message, sink, cancelled, body));
    return () -> {
      if (cancelled.compareAndSet(false, true)) {
        task.cancel(true);
        closeQuietly(body);
      }
    };
  }

  private void relay(String message, Sink sink, AtomicBoolean cancelled, InputStream[] body) {
    try {
      HttpResponse<InputStream> response = http.send(request(message), HttpResponse.BodyHandlers.ofInputStream());
      synchronized (body) {
        body[0] = response.body();
      }
      if (cancelled.get()) {
        closeQuietly(body);
        return;
      }
      if (response.statusCode() != 200) {
        String text = new String(response.body().readNBytes(MAX_ERROR_CHARS), StandardCharsets.UTF_8).strip();
        response.body().close();
        sink.onError("the chat upstream answered " + response.statusCode() + (text.isEmpty() ? "" : ": " + text));
        return;
      }
      boolean[] finished = new boolean[1];
      EventStreamParser parser = EventStreamParser.create((type, data, lastEventId) -> {
        if (finished[0] || cancelled.get()) return;
        if (data.strip().equals("[DONE]")) {
          finished[0] = true;
          return;
        }
        String token = content(data);
        if (token != null && !token.isEmpty()) sink.onToken(token);
      });
      try (InputStream in = response.body()) {
        byte[] buffer = new byte[8192];
        int n;
        while (!finished[0] && (n = in.read(buffer)) >= 0) parser.feed(buffer, 0, n);
      }
      if (cancelled.get()) return;
      // A stream that ends without [DONE] still ended: what came is the reply.
      sink.onDone();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (cancelled.get()) return;
      LOG.warn("chat upstream {} failed: {}", endpoint, e.toString());
      sink.onError("the chat upstream failed: " + e.getClass().getSimpleName());
    }
  }

  HttpRequest request(String message) {
    ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", true);
    body.putArray("messages").addObject().put("role", "user").put("content", message);
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
    return b.build();
  }

  /** {@code choices[0].delta.content} of one chunk, or null when the chunk carries none (or is not JSON). */
  static String content(String chunk) {
    JsonNode node;
    try {
      node = JSON.readTree(chunk);
    } catch (IOException e) {
      return null; // a keep-alive or a vendor extension: not part of the reply
    }
    JsonNode content = node == null ? null : node.path("choices").path(0).path("delta").path("content");
    return content == null || !content.isTextual() ? null : content.asText();
  }

  private static void closeQuietly(InputStream[] body) {
    InputStream in;
    synchronized (body) {
      in = body[0];
    }
    if (in == null) return;
    try {
      in.close();
    } catch (IOException ignored) {
      // closing to stop the read: nothing else to do
    }
  }

  @Override
  public void close() {
    readers.shutdownNow();
  }

  @Override
  public String toString() {
    return "OpenAiUpstreamResponder[" + endpoint + ", model " + model + "]";
  }
}
