package dev.herald.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat demo's stream, {@code GET /api/send?reply=<uuid>&message=...&lastEventID=earliest}:
 * follows topic {@code chat/<uuid>} and, the first time a reply id comes with a message, starts the
 * responder publishing into that topic through the broker. Without {@code reply} (a tutorial's
 * {@code new EventSource('/api/send?message=hi')}) the hub picks a fresh id: the reply streams the
 * same, but cannot be resumed. The reply is a topic with history, so
 * an {@code EventSource} reconnecting with {@code Last-Event-ID}, or a reloaded page reopening with
 * {@code reply=<uuid>&lastEventID=<last id>} and no message, resumes exactly where it stopped.
 *
 * <p>Events of a reply, in order: {@code prompt} ({@code {"message": ...}}), unnamed token frames
 * ({@code {"token": "Hel"}}), then {@code done} ({@code {"finish": "stop"}}, or
 * {@code {"finish": "error", "error": ...}}).
 */
final class ChatReplies implements TopicSelector, AutoCloseable {
  /** Longest message accepted, in characters. */
  static final int MAX_MESSAGE_CHARS = 4000;
  /** Replies streaming at once; more get a 503, so a busy page cannot run up an upstream's bill. */
  static final int MAX_REPLIES_UNDER_WAY = 32;
  /** Reply ids remembered as started, so a reconnect never starts a reply twice. */
  static final int REMEMBERED_REPLIES = 10_000;
  static final String TOPIC_PREFIX = "chat/";

  private static final Logger LOG = LoggerFactory.getLogger(ChatReplies.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REPLY_ID = Pattern.compile("[A-Za-z0-9-]{8,64}");

  private final Broker broker;
  private final ChatResponder responder;
  private final Set<String> started = Collections.newSetFromMap(new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_REPLIES;
    }
  });
  private final Map<String, ChatResponder.Reply> underWay = new ConcurrentHashMap<>();

  ChatReplies(Broker broker, ChatResponder responder) {
    this.broker = broker;
    this.responder = responder;
  }

  /** Called on an event-loop thread for each request: starts nothing slow. */
  @Override
  public Subscription select(StreamRequest request) {
    // Without a reply id (what a tutorial's page sends: EventSource('/api/send?message=hi')) the
    // request is a new reply under a fresh id. Resuming needs the id: a reconnect without one is
    // again a new reply.
    String reply = request.queryParam("reply").filter(r -> !r.isEmpty()).orElseGet(() -> UUID.randomUUID().toString());
    if (!REPLY_ID.matcher(reply).matches()) {
      throw new IllegalArgumentException("reply must be an id of 8 to 64 letters, digits and dashes (a UUID)");
    }
    String topic = TOPIC_PREFIX + reply;
    String message = request.queryParam("message").orElse("").strip();
    if (message.length() > MAX_MESSAGE_CHARS) {
      throw new IllegalArgumentException("message longer than " + MAX_MESSAGE_CHARS + " characters");
    }
    if (!message.isEmpty()) start(topic, message);
    return Subscription.of(topic);
  }

  private void start(String topic, String message) {
    synchronized (started) {
      if (started.contains(topic)) return; // a reconnect: the reply is already under way or done
      if (underWay.size() >= MAX_REPLIES_UNDER_WAY) {
        throw new StreamRefusedException(503, "too many replies under way; try again in a moment",
            Map.of("retry-after", "2"));
      }
      started.add(topic);
    }
    Publishing publishing = new Publishing(topic);
    publishing.publish(Event.named("prompt", json("message", message)));
    // Registered before the responder runs, so a reply that ends at once is removed after it.
    underWay.put(topic, () -> { });
    ChatResponder.Reply reply = responder.respond(message, publishing);
    underWay.replace(topic, reply);
  }

  /** Replies under way now. */
  int underWay() {
    return underWay.size();
  }

  @Override
  public void close() {
    underWay.values().forEach(ChatResponder.Reply::cancel);
    underWay.clear();
  }

  /** Publishes one reply's events one after another, so the log keeps the responder's order. */
  private final class Publishing implements ChatResponder.Sink {
    private final String topic;
    private CompletionStage<?> tail = CompletableFuture.completedFuture(null);

    Publishing(String topic) {
      this.topic = topic;
    }

    synchronized void publish(Event event) {
      tail = tail.thenCompose(ignored -> broker.publish(topic, event))
          .exceptionally(error -> {
            LOG.warn("publishing to {} failed", topic, error);
            return null;
          });
    }

    @Override
    public void onToken(String token) {
      publish(Event.of(json("token", token)));
    }

    @Override
    public void onDone() {
      publish(Event.named("done", json("finish", "stop")));
      underWay.remove(topic);
    }

    @Override
    public void onError(String reason) {
      publish(Event.named("done", json("finish", "error", "error", reason)));
      underWay.remove(topic);
    }
  }

  /** A JSON object of string fields, in the order given. */
  static String json(String... namesAndValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < namesAndValues.length; i += 2) node.put(namesAndValues[i], namesAndValues[i + 1]);
    return node.toString();
  }
}
