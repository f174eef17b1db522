package dev.herald.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.hub.auth.AuthException;
import dev.herald.hub.auth.Authorization;
import dev.herald.hub.auth.Authorizer;
import dev.herald.hub.auth.MercureSelector;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.BrokerListener;
import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import dev.herald.server.StreamRequest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Mercure's active subscriptions, when enabled: each subscribe and unsubscribe is published as a
 * private update, and {@code GET /.well-known/mercure/subscriptions[/...]} lists the subscriptions
 * open on this hub, both as JSON-LD, to subscribers whose JWT covers those URLs. A subscription
 * made with a 1.0 matcher ({@code match=}, {@code match_urlpattern=}) lives at
 * {@code /subscriptions/{match_type}/{match}/{subscriber}} and is described with {@code match_type}
 * and {@code match}; one made with a 0.x {@code topic=} at {@code /subscriptions/{topic}/{subscriber}}
 * with {@code topic}. Either carries the {@code payload} its subscriber's token attaches to it.
 */
final class ActiveSubscriptions implements BrokerListener {
  static final String PATH = Hub.PATH + "/subscriptions";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUBSCRIBER_ID =
      Pattern.compile("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** One selector of one subscriber, and the payload the subscriber's token attaches to it (JSON, or null). */
  record Entry(String id, Matcher matcher, String subscriber, boolean active, String payload) {}

  /**
   * A subscription's selector as the request wrote it: a 0.x {@code topic=} ({@code type} null), or
   * a 1.0 matcher of type {@code exact} or {@code urlpattern}.
   */
  record Matcher(String type, String text) {
    static Matcher topic(String text) {
      return new Matcher(null, text);
    }
  }

  private record Subscriber(String id, List<Matcher> matchers, Authorization access) {}

  private final AcceptedStreams<Subscriber> pending = new AcceptedStreams<>();
  // By the request as the broker's callbacks give it: without headers (an open stream keeps none).
  private final Map<StreamRequest, Subscriber> open = new ConcurrentHashMap<>();
  private final Broker broker;
  private final Authorizer auth;
  private final HubUrl hubUrl;
  private volatile String lastEventId = "earliest";

  ActiveSubscriptions(Broker broker, Authorizer auth, HubUrl hubUrl) {
    this.broker = broker;
    this.auth = auth;
    this.hubUrl = hubUrl;
  }

  /** Called by the topic selector once a subscription is accepted, before it connects. */
  void accepted(StreamRequest request, List<Matcher> matchers, Authorization access) {
    pending.put(request, new Subscriber("urn:uuid:" + UUID.randomUUID(), List.copyOf(matchers), access));
  }

  @Override
  public void onConnect(StreamRequest request) {
    Subscriber s = pending.remove(request);
    if (s == null) return;
    open.put(request, s);
    announce(s, true);
  }

  @Override
  public void onDisconnect(StreamRequest request, String reason) {
    pending.remove(request);
    Subscriber s = open.remove(request);
    if (s != null) announce(s, false);
  }

  @Override
  public void onPublish(String id, List<String> topics) {
    lastEventId = id;
  }

  private void announce(Subscriber s, boolean active) {
    for (Matcher m : s.matchers()) {
      Entry e = entry(m, s, active);
      broker.publish(List.of(e.id()), Event.of(json(e).toString()), true)
          .exceptionally(error -> {
            Hub.LOG.warn("could not publish the subscription update {}: {}", e.id(), error.getMessage());
            return null;
          });
    }
  }

  private static Entry entry(Matcher m, Subscriber s, boolean active) {
    return new Entry(PATH + "/" + path(m) + "/" + encode(s.id()), m, s.id(), active, s.access().payloadFor(m.text()).orElse(null));
  }

  /** {@code {topic}} (0.x) or {@code {match_type}/{match}} (1.0), each part percent-encoded once. */
  private static String path(Matcher m) {
    return m.type() == null ? encode(m.text()) : m.type() + "/" + encode(m.text());
  }

  private static ObjectNode json(Entry e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("@context", "https://mercure.rocks/");
    n.put("id", e.id());
    n.put("type", "Subscription");
    if (e.matcher().type() == null) {
      n.put("topic", e.matcher().text());
    } else {
      n.put("match_type", e.matcher().type());
      n.put("match", e.matcher().text());
    }
    n.put("subscriber", e.subscriber());
    n.put("active", e.active());
    if (e.payload() != null) {
      try {
        n.set("payload", JSON.readTree(e.payload()));
      } catch (IOException notJson) {
        throw new IllegalStateException("a verified token's payload is JSON", notJson);
      }
    }
    return n;
  }

  /** {@code GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]}. */
  CompletionStage<EndpointResponse> list(EndpointRequest request) {
    if (!request.method().equals("GET")) {
      return done(EndpointResponse.text(405, request.method() + " is not allowed here").withHeader("allow", "GET"));
    }
    // The path arrives decoded, so a topic's own slashes are back: the subscriber, always a
    // urn:uuid the hub made, is told apart by its shape. 1.0: /{match_type}/{match}[/{subscriber}];
    // 0.x: /{topic}[/{subscriber}].
    String rest = request.path().substring(PATH.length());
    if (!rest.isEmpty() && !rest.startsWith("/")) {
      return done(EndpointResponse.text(404, "no such subscription resource: " + request.path()));
    }
    Matcher wanted = null;
    String subscriber = null;
    if (rest.length() > 1) {
      String body = rest.substring(1);
      String type = null;
      for (String t : List.of("exact", "urlpattern")) {
        if (body.startsWith(t + "/")) {
          type = t;
          body = body.substring(t.length() + 1);
        }
      }
      int slash = body.lastIndexOf('/');
      if (slash >= 0 && SUBSCRIBER_ID.matcher(body.substring(slash + 1)).matches()) {
        subscriber = body.substring(slash + 1);
        body = body.substring(0, slash);
      }
      if (body.isEmpty()) return done(EndpointResponse.text(404, "no such subscription resource: " + request.path()));
      wanted = new Matcher(type, body);
    }
    Optional<Authorization> access;
    try {
      access = auth.authenticateSubscriber(request.headers(), request.query());
    } catch (AuthException e) {
      return done(EndpointResponse.text(e.status(), e.getMessage()).withHeader("www-authenticate", e.challenge()));
    }
    if (access.isEmpty()) {
      String reason = "listing subscriptions needs a subscriber JWT";
      return done(EndpointResponse.text(401, reason)
          .withHeader("www-authenticate", Authorizer.challenge(hubUrl.resourceMetadata(request.header("host")))));
    }
    if (!covers(access.get(), request.path())) {
      String reason = "the token does not cover " + request.path();
      return done(EndpointResponse.text(403, reason)
          .withHeader("www-authenticate", Authorizer.insufficientScopeChallenge(reason)));
    }
    ArrayNode list = JSON.createArrayNode();
    for (Subscriber s : new ArrayList<>(open.values())) {
      if (subscriber != null && !subscriber.equals(s.id())) continue;
      for (Matcher m : s.matchers()) {
        if (wanted == null || wanted.equals(m)) list.add(json(entry(m, s, true)));
      }
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("@context", "https://mercure.rocks/");
    body.put("id", request.path());
    body.put("type", "Subscriptions");
    body.put("lastEventID", lastEventId);
    body.set("subscriptions", list);
    return done(EndpointResponse.of(200, "application/ld+json", body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static boolean covers(Authorization access, String url) {
    for (MercureSelector p : access.subscribe()) {
      if (p.matches(url)) return true;
    }
    return false;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static CompletionStage<EndpointResponse> done(EndpointResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
