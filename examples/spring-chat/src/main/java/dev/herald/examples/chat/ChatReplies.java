package dev.herald.examples.chat;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code GET /api/send?reply=<uuid>&message=...}: the stream of one chat reply. Each reply is a
 * topic, {@code reply/<uuid>}, whose tokens the responder publishes as they come; the request
 * follows it. Because the reply has a history, an {@code EventSource} that reconnects (its
 * {@code Last-Event-ID}), or a reloaded page that reopens it ({@code &lastEventID=<last id>},
 * no message), resumes exactly after the last token it showed. The first request with a message
 * starts the reply; a reconnect never starts it twice.
 *
 * <p>Events of a reply: unnamed tokens ({@code {"token":" Hel"}}), then {@code done}.
 */
@Component
class ChatReplies implements TopicSelector, DisposableBean {
  static final String TOPIC_PREFIX = "reply/";
  static final int MAX_MESSAGE_CHARS = 2000;
  static final int REMEMBERED_REPLIES = 10_000;
  private static final Pattern REPLY_ID = Pattern.compile("[A-Za-z0-9-]{8,64}");

  private final Broker broker;
  private final Duration tokenDelay;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chat-responder");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> started = Collections.newSetFromMap(new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_REPLIES;
    }
  });

  ChatReplies(Broker broker, @Value("${chat.token-delay:60ms}") Duration tokenDelay) {
    this.broker = broker;
    this.tokenDelay = tokenDelay;
  }

  /** On the request's thread: checks the request, starts the reply once, follows its topic. */
  @Override
  public Subscription select(StreamRequest request) {
    String reply = request.queryParam("reply").orElse("");
    if (!REPLY_ID.matcher(reply).matches()) {
      throw new IllegalArgumentException("reply must be an id of 8 to 64 letters, digits and dashes (a UUID)");
    }
    String message = request.queryParam("message").orElse("").strip();
    if (message.length() > MAX_MESSAGE_CHARS) {
      throw new IllegalArgumentException("message longer than " + MAX_MESSAGE_CHARS + " characters");
    }
    String topic = TOPIC_PREFIX + reply;
    if (!message.isEmpty() && startOnce(topic)) stream(topic, tokens(replyTo(message)));
    return Subscription.of(topic);
  }

  private boolean startOnce(String topic) {
    synchronized (started) {
      return started.add(topic);
    }
  }

  /** Publishes the tokens one after another, {@code tokenDelay} apart, then {@code done}. */
  private void stream(String topic, List<String> tokens) {
    CompletionStage<?> previous = CompletableFuture.completedFuture(null);
    for (int i = 0; i < tokens.size(); i++) {
      Event event = Event.of(Json.object("token", tokens.get(i)));
      previous = after(previous, i, () -> broker.publish(topic, event));
    }
    after(previous, tokens.size(), () -> broker.publish(topic, Event.named("done", Json.object("finish", "stop"))));
  }

  /** Runs {@code publish} once {@code previous} completed and the token's time came: the log keeps the order. */
  private CompletionStage<?> after(CompletionStage<?> previous, int index, Supplier<CompletionStage<String>> publish) {
    CompletableFuture<Void> due = new CompletableFuture<>();
    timer.schedule(() -> due.complete(null), tokenDelay.toNanos() * (index + 1), TimeUnit.NANOSECONDS);
    return previous.thenCombine(due, (a, b) -> null).thenCompose(ignored -> publish.get());
  }

  /** The offline responder's whole reply to {@code message}: deterministic, so tests know it. */
  static String replyTo(String message) {
    String m = message.replaceAll("\\s+", " ");
    if (m.length() > 120) m = m.substring(0, 120) + "…";
    return "You said: “" + m + "”. This reply streams one token at a time over Server-Sent Events, "
        + "from a Spring Boot application with Herald's starter. Every token is an event with an id in "
        + "this reply's topic, so a reload picks up after the last one you saw: nothing lost, nothing "
        + "repeated.";
  }

  /** {@code text} as a model streams it: words, each with its leading space. */
  static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ' ') {
        tokens.add(text.substring(start, i));
        start = i;
      }
    }
    return tokens;
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
