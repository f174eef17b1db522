package dev.herald.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.protocol.Event;
import dev.herald.server.EventStream;
import dev.herald.server.StreamHandler;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The chat demo's stream, {@code GET /api/send?reply=<uuid>&message=...&lastEventID=earliest}: the
 * first time a reply id comes with a message, starts the responder; every request for that reply id
 * gets the reply's events after its {@code Last-Event-ID}, then the rest as they come. Without
 * {@code reply} (a tutorial's {@code new EventSource('/api/send?message=hi')}) the hub picks a fresh
 * id: the reply streams the same, but cannot be resumed. An {@code EventSource} reconnecting with
 * {@code Last-Event-ID}, or a reloaded page reopening with {@code reply=<uuid>&lastEventID=<last id>}
 * and no message, resumes exactly where it stopped.
 *
 * <p>Events of a reply, in order, with ids {@code 1, 2, ...} within the reply: {@code prompt}
 * ({@code {"message": ...}}), unnamed token frames ({@code {"token": "Hel"}}), then {@code done}
 * ({@code {"finish": "stop"}}, or {@code {"finish": "error", "error": ...}}).
 *
 * <p>Replies are kept here, in memory, and not published through the broker: a demo's chatter has
 * no place in the hub's durable history, where it would push out real events. The last
 * {@value #KEPT_REPLIES} replies are kept, each up to {@value #MAX_EVENTS_PER_REPLY} events.
 */
final class ChatReplies implements StreamHandler, AutoCloseable {
  /** Longest message accepted, in characters. */
  static final int MAX_MESSAGE_CHARS = 4000;
  /** Replies streaming at once; more get a 503, so a busy page cannot run up an upstream's bill. */
  static final int MAX_REPLIES_UNDER_WAY = 32;
  /** Replies kept for resuming (the oldest go first), so a reconnect never starts a reply twice. */
  static final int KEPT_REPLIES = 1_000;
  /** Events one reply may hold; a reply that goes on is ended with an error. */
  static final int MAX_EVENTS_PER_REPLY = 20_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REPLY_ID = Pattern.compile("[A-Za-z0-9-]{8,64}");

  private final ChatResponder responder;
  private final Map<String, ReplyLog> kept = new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ReplyLog> eldest) {
      return size() > KEPT_REPLIES;
    }
  };
  private final Map<ReplyLog, ChatResponder.Reply> underWay = new ConcurrentHashMap<>();

  ChatReplies(ChatResponder responder) {
    this.responder = responder;
  }

  /** Before the response: refuses a bad reply id or message (400), or a new reply while too many run (503). */
  @Override
  public void check(StreamRequest request) {
    Optional<String> reply = request.queryParam("reply").filter(r -> !r.isEmpty());
    if (reply.isPresent() && !REPLY_ID.matcher(reply.get()).matches()) {
      throw new IllegalArgumentException("reply must be an id of 8 to 64 letters, digits and dashes (a UUID)");
    }
    String message = message(request);
    if (message.length() > MAX_MESSAGE_CHARS) {
      throw new IllegalArgumentException("message longer than " + MAX_MESSAGE_CHARS + " characters");
    }
    if (!message.isEmpty() && underWay.size() >= MAX_REPLIES_UNDER_WAY && reply.map(this::find).isEmpty()) {
      throw new StreamRefusedException(503, "too many replies under way; try again in a moment", Map.of("retry-after", "2"));
    }
  }

  /** Called on an event-loop thread for each accepted request: starts nothing slow. */
  @Override
  public void handle(StreamRequest request, EventStream stream) {
    // Without a reply id (what a tutorial's page sends: EventSource('/api/send?message=hi')) the
    // request is a new reply under a fresh id. Resuming needs the id: a reconnect without one is
    // again a new reply.
    String id = request.queryParam("reply").filter(r -> !r.isEmpty()).orElseGet(() -> UUID.randomUUID().toString());
    String message = message(request);
    ReplyLog reply;
    boolean fresh = false;
    synchronized (kept) {
      reply = kept.get(id);
      if (reply == null && !message.isEmpty()) {
        reply = new ReplyLog();
        kept.put(id, reply);
        fresh = true;
      }
    }
    if (reply == null) {
      // A page resuming a reply this hub does not hold (it restarted, or the reply was pushed out).
      stream.send(Event.builder().type("done").data(json("finish", "error", "error", "this reply is no longer kept"))
          .build());
      return;
    }
    reply.follow(stream, after(request.lastEventId()));
    if (fresh) start(reply, message);
  }

  private ReplyLog find(String id) {
    synchronized (kept) {
      return kept.get(id);
    }
  }

  private static String message(StreamRequest request) {
    return request.queryParam("message").orElse("").strip();
  }

  /** Events of a reply already seen: {@code earliest}, no id or an id not of this reply is none. */
  private static int after(Optional<String> lastEventId) {
    String id = lastEventId.orElse("");
    if (id.isEmpty() || id.length() > 9 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) return 0;
    return Integer.parseInt(id);
  }

  private void start(ReplyLog reply, String message) {
    reply.append(Event.named("prompt", json("message", message)));
    if (underWay.size() >= MAX_REPLIES_UNDER_WAY) {
      // Another request started one between this one's check and now.
      reply.end(json("finish", "error", "error", "too many replies under way; try again in a moment"));
      return;
    }
    // Registered before the responder runs, so a reply that ends at once is removed after it.
    underWay.put(reply, () -> { });
    ChatResponder.Reply started = responder.respond(message, new ChatResponder.Sink() {
      @Override
      public void onToken(String token) {
        if (!reply.append(Event.of(json("token", token)))) {
          ChatResponder.Reply r = underWay.remove(reply);
          if (r != null) r.cancel();
        }
      }

      @Override
      public void onDone() {
        reply.end(json("finish", "stop"));
        underWay.remove(reply);
      }

      @Override
      public void onError(String reason) {
        reply.end(json("finish", "error", "error", reason));
        underWay.remove(reply);
      }
    });
    underWay.replace(reply, started);
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

  /**
   * One reply's events, with the streams following it. Appends and follows take the lock, so a
   * stream that joins gets everything up to now and then every later event, each once, in order.
   */
  private static final class ReplyLog {
    private final List<Event> events = new ArrayList<>();
    private final Set<EventStream> following = ConcurrentHashMap.newKeySet();
    private boolean ended;

    /** Adds an event; false once the reply has ended or is full (then it ends with an error). */
    synchronized boolean append(Event event) {
      if (ended) return false;
      if (events.size() == MAX_EVENTS_PER_REPLY - 1) {
        end(json("finish", "error", "error", "the reply is longer than " + MAX_EVENTS_PER_REPLY + " events"));
        return false;
      }
      add(event);
      return true;
    }

    synchronized void end(String done) {
      if (ended) return;
      add(Event.named("done", done));
      ended = true;
    }

    private void add(Event event) {
      Event numbered = event.toBuilder().id(String.valueOf(events.size() + 1)).build();
      events.add(numbered);
      for (EventStream s : following) s.send(numbered);
    }

    synchronized void follow(EventStream stream, int after) {
      for (int i = after; i < events.size(); i++) stream.send(events.get(i));
      following.add(stream);
      stream.onClose(() -> following.remove(stream));
    }
  }

  /** A JSON object of string fields, in the order given. */
  static String json(String... namesAndValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < namesAndValues.length; i += 2) node.put(namesAndValues[i], namesAndValues[i + 1]);
    return node.toString();
  }
}
