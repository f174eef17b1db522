package dev.herald.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.hub.auth.AuthException;
import dev.herald.hub.auth.Authorization;
import dev.herald.hub.auth.Authorizer;
import dev.herald.hub.auth.MercureSelector;
import dev.herald.hub.auth.UrlText;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import dev.herald.server.EventLog;
import dev.herald.server.HttpEndpoint;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Mercure's publish side: {@code POST /.well-known/mercure}, form-encoded as in the protocol, or
 * JSON with the same fields, or a JSON array of them (a batch, each update validated alone).
 * Answers {@code 200 text/plain} with the event id once the log acknowledged the event.
 */
final class MercurePublisher implements HttpEndpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Mercure 1.0's reserved namespace: the hub's own topics. */
  static final String RESERVED_TOPICS = Hub.PATH + "/";

  /** Longest topic of an update, in characters: the longest selector a subscriber may follow it by. */
  static final int MAX_TOPIC_CHARS = MercureSelector.MAX_SELECTOR_CHARS;
  /** Topics of one update: as many as one subscription may follow. */
  static final int MAX_TOPICS = MercureSubscriptions.MAX_SELECTORS;

  private final Broker broker;
  private final Authorizer auth;
  private final HubUrl hubUrl;
  private final int maxDataBytes;
  private final Timer appendTimer;

  MercurePublisher(Broker broker, Authorizer auth, HubUrl hubUrl, int maxDataBytes, Timer appendTimer) {
    this.broker = broker;
    this.auth = auth;
    this.hubUrl = hubUrl;
    this.maxDataBytes = maxDataBytes;
    this.appendTimer = appendTimer;
  }

  /** One update as a publisher sent it, validated. */
  record Update(List<String> topics, Event event, boolean privateUpdate) {}

  /** A refusal with its status; the message is safe to show to the publisher. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  @Override
  public CompletionStage<EndpointResponse> handle(EndpointRequest request) {
    if (!request.method().equals("POST")) {
      return done(EndpointResponse.text(405, request.method() + " is not allowed: subscribe with GET, publish with POST")
          .withHeader("allow", "GET, POST, OPTIONS"));
    }
    Authorization access;
    try {
      Optional<Authorization> a = auth.authenticatePublisher(request.headers(), request.query());
      if (a.isEmpty()) {
        String reason = "publishing needs a publisher JWT";
        return done(EndpointResponse.text(401, reason)
            .withHeader("www-authenticate", Authorizer.challenge(hubUrl.resourceMetadata(request.header("host")))));
      }
      access = a.get();
    } catch (AuthException e) {
      return done(EndpointResponse.text(e.status(), e.getMessage()).withHeader("www-authenticate", e.challenge()));
    }
    String contentType = request.header("content-type").orElse("").toLowerCase(Locale.ROOT);
    try {
      if (contentType.startsWith("application/x-www-form-urlencoded")) {
        Update update = form(request);
        if (update.topics().size() > 1 && isAccessToken(access)) {
          // Mercure 1.0: "exactly one topic field". Only for 1.0 publishers: 0.x ones send
          // alternate topics, and their tokens (the mercure claim) still may.
          throw new Refused(400, "an update has exactly one topic (" + update.topics().size() + " given)");
        }
        return publish(update, access).thenApply(MercurePublisher::published)
            .exceptionally(this::refusal);
      }
      if (contentType.startsWith("application/json")) {
        JsonNode body = JSON.readTree(request.body());
        if (body == null) throw new Refused(400, "empty JSON body");
        if (body.isArray()) return batch((ArrayNode) body, access);
        return publish(json(body), access).thenApply(MercurePublisher::published)
            .exceptionally(this::refusal);
      }
      return done(EndpointResponse.text(415,
          "unsupported content type '" + contentType + "': use application/x-www-form-urlencoded or application/json"));
    } catch (Refused e) {
      return done(response(e));
    } catch (IOException e) {
      return done(EndpointResponse.text(400, "malformed JSON: " + e.getMessage().split("\n")[0]));
    }
  }

  /** Mercure: the body of a successful publish is exactly the id, nothing after it. */
  static EndpointResponse published(String id) {
    return EndpointResponse.of(200, "text/plain; charset=utf-8", id.getBytes(StandardCharsets.UTF_8));
  }

  private CompletionStage<EndpointResponse> batch(ArrayNode updates, Authorization access) {
    // In order, one after another: the batch keeps its order in the log.
    ArrayNode results = JSON.createArrayNode();
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (JsonNode node : updates) {
      chain = chain.thenCompose(ignored -> {
        ObjectNode result = results.addObject();
        try {
          return publish(json(node), access).handle((id, error) -> {
            if (error == null) {
              result.put("id", id);
            } else {
              Refused r = asRefused(error);
              result.put("status", r.status).put("error", r.getMessage());
            }
            return null;
          });
        } catch (Refused r) {
          result.put("status", r.status).put("error", r.getMessage());
          return CompletableFuture.completedFuture(null);
        }
      });
    }
    return chain.thenApply(ignored -> EndpointResponse.of(200, "application/json",
        results.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private CompletionStage<String> publish(Update update, Authorization access) {
    if (!auth.canPublish(access, update.topics())) {
      throw new Refused(403, "the token does not allow publishing to " + String.join(", ", update.topics()));
    }
    long start = System.nanoTime();
    return broker.publish(update.topics(), update.event(), update.privateUpdate())
        .whenComplete((id, error) -> appendTimer.record(Duration.ofNanos(System.nanoTime() - start)));
  }

  private Update form(EndpointRequest request) {
    Map<String, List<String>> fields;
    try {
      fields = request.form();
    } catch (IllegalArgumentException e) {
      throw new Refused(400, e.getMessage()); // a bad escape, or bytes that are not UTF-8, names its field
    }
    return update(fields.getOrDefault("topic", List.of()), first(fields, "data"), first(fields, "id"),
        // The field's presence marks the update private, whatever its value (Mercure: "hubs MUST
        // NOT interpret the field's value"; the reference hub does the same): reading
        // private=false as public would leak an update its publisher may have meant to hide.
        first(fields, "type"), first(fields, "retry"), fields.containsKey("private"));
  }

  private Update json(JsonNode node) {
    if (!node.isObject()) throw new Refused(400, "an update must be a JSON object");
    List<String> topics = new ArrayList<>();
    JsonNode t = node.get("topic");
    if (t != null && t.isArray()) {
      t.forEach(n -> topics.add(n.asText()));
    } else if (t != null && t.isTextual()) {
      topics.add(t.asText());
    }
    JsonNode p = node.get("private");
    // Herald's own JSON API: a boolean says what it means; any other value present marks the
    // update private, as the form field's presence does.
    boolean privateUpdate = p != null && !p.isNull() && (!p.isBoolean() || p.asBoolean());
    JsonNode retry = node.get("retry");
    return update(topics, text(node, "data"), text(node, "id"), text(node, "type"),
        retry == null || retry.isNull() ? null : retry.asText(), privateUpdate);
  }

  private Update update(List<String> topics, String data, String id, String type, String retry, boolean privateUpdate) {
    // The broker refuses these too; checked here as well so they are a 400 before the token's
    // scope is checked (a 403), as Mercure clients expect.
    if (topics.isEmpty()) throw new Refused(400, "missing topic: an update needs at least one topic");
    if (topics.size() > MAX_TOPICS) {
      throw new Refused(400, "too many topics: " + topics.size() + ", the limit is " + MAX_TOPICS + " per update");
    }
    for (String topic : topics) {
      if (topic.isEmpty()) throw new Refused(400, "empty topic");
      if (topic.length() > MAX_TOPIC_CHARS) {
        throw new Refused(400, "topic longer than " + MAX_TOPIC_CHARS + " characters (" + topic.length() + ")");
      }
      int control = firstControl(topic);
      if (control >= 0) {
        throw new Refused(400, String.format("topic must not hold control characters: U+%04X at index %d", (int) topic.charAt(control), control));
      }
      // The hub's own updates (subscription events) live there: nobody may forge them, not even
      // as an absolute URL that a relative URL pattern would match after resolution.
      String path = UrlText.path(UrlText.resolve(hubUrl.base(), topic));
      if (path.equals(Hub.PATH) || path.startsWith(RESERVED_TOPICS)) {
        throw new Refused(403, "topics under " + Hub.PATH + " are reserved for the hub");
      }
    }
    if (data != null && data.getBytes(StandardCharsets.UTF_8).length > maxDataBytes) {
      throw new Refused(413, "data over the size limit of " + maxDataBytes + " bytes");
    }
    if (EventLog.EARLIEST.equals(id)) throw new Refused(400, "id 'earliest' is reserved");
    if (id != null && id.startsWith("#")) throw new Refused(400, "id must not start with '#' (reserved for the hub's ids)");
    if ("mercure".equals(type)) throw new Refused(400, "type 'mercure' is reserved for the hub's own updates");
    Event.Builder event = Event.builder().data(data == null ? "" : data);
    try {
      if (id != null && !id.isEmpty()) event.id(id);
      if (type != null) event.type(type);
      if (retry != null && !retry.isEmpty()) {
        long millis;
        try {
          millis = Long.parseLong(retry);
        } catch (NumberFormatException e) {
          throw new Refused(400, "retry must be a whole number of milliseconds: " + retry);
        }
        event.retry(Duration.ofMillis(millis));
      }
    } catch (IllegalArgumentException e) {
      throw new Refused(400, e.getMessage());
    }
    return new Update(List.copyOf(topics), event.build(), privateUpdate);
  }

  private EndpointResponse refusal(Throwable error) {
    Refused r = asRefused(error);
    return response(r);
  }

  private EndpointResponse response(Refused r) {
    EndpointResponse response = EndpointResponse.text(r.status, r.getMessage());
    if (r.status == 503) return response.withHeader("retry-after", "1");
    if (r.status == 403) return response.withHeader("www-authenticate", Authorizer.insufficientScopeChallenge(r.getMessage()));
    return response;
  }

  private static Refused asRefused(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof Refused) return (Refused) e;
    if (e instanceof IllegalArgumentException) return new Refused(400, e.getMessage());
    if (e instanceof dev.herald.server.OverloadedException) return new Refused(503, "the hub is overloaded: " + e.getMessage());
    if (e instanceof RejectedExecutionException) {
      return new Refused(503, "the event store is busy: " + e.getMessage());
    }
    if (e instanceof IllegalStateException) return new Refused(503, "the event store is not available: " + e.getMessage());
    return new Refused(500, "publish failed");
  }

  /** A 1.0 access token: its grants are {@code authorization_details} matchers, not 0.x selectors. */
  private static boolean isAccessToken(Authorization access) {
    return !access.publish().isEmpty() && access.publish().stream().noneMatch(s -> s.kind() == MercureSelector.Kind.TEMPLATE);
  }

  private static String first(Map<String, List<String>> fields, String name) {
    List<String> values = fields.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The index of the first C0 or C1 control character or DEL in {@code s}, or -1. */
  private static int firstControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return i;
    }
    return -1;
  }

  private static CompletionStage<EndpointResponse> done(EndpointResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
