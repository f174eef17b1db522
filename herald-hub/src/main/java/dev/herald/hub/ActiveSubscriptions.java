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
import java.net.URLDecoder;
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
import java.util.function.Supplier;

/**
 * Mercure's active subscriptions, when enabled: each subscribe and unsubscribe is published as a
 * private update on {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}}, and
 * {@code GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]} lists the subscriptions
 * open on this hub, both as JSON-LD, to subscribers whose JWT covers those URLs.
 */
final class ActiveSubscriptions implements BrokerListener {
  static final String PATH = Hub.PATH + "/subscriptions";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One selector of one subscriber. */
  record Entry(String id, String topic, String subscriber, boolean active) {}

  private record Subscriber(String id, List<String> selectors) {}

  private final Map<StreamRequest, Subscriber> pending = new ConcurrentHashMap<>();
  private final Map<StreamRequest, Subscriber> open = new ConcurrentHashMap<>();
  private final Supplier<Broker> broker;
  private final Authorizer auth;
  private volatile String lastEventId = "earliest";

  ActiveSubscriptions(Supplier<Broker> broker, Authorizer auth) {
    this.broker = broker;
    this.auth = auth;
  }

  /** Called by the topic selector once a subscription is accepted, before it connects. */
  void accepted(StreamRequest request, List<String> selectors) {
    pending.put(request, new Subscriber("urn:uuid:" + UUID.randomUUID(), List.copyOf(selectors)));
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
    Broker b = broker.get();
    if (b == null) return;
    for (String topic : s.selectors()) {
      Entry e = entry(topic, s.id(), active);
      b.publish(List.of(e.id()), Event.of(json(e).toString()), true)
          .exceptionally(error -> {
            Hub.LOG.warn("could not publish the subscription update {}: {}", e.id(), error.getMessage());
            return null;
          });
    }
  }

  static Entry entry(String topic, String subscriber, boolean active) {
    return new Entry(PATH + "/" + encode(topic) + "/" + encode(subscriber), topic, subscriber, active);
  }

  private static ObjectNode json(Entry e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("@context", "https://mercure.rocks/");
    n.put("id", e.id());
    n.put("type", "Subscription");
    n.put("topic", e.topic());
    n.put("subscriber", e.subscriber());
    n.put("active", e.active());
    return n;
  }

  /** {@code GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]}. */
  CompletionStage<EndpointResponse> list(EndpointRequest request) {
    if (!request.method().equals("GET")) {
      return done(EndpointResponse.text(405, request.method() + " is not allowed here").withHeader("allow", "GET"));
    }
    String rest = request.path().substring(PATH.length());
    String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
    if (parts.length > 2 || (rest.length() > 0 && !rest.startsWith("/"))) {
      return done(EndpointResponse.text(404, "no such subscription resource: " + request.path()));
    }
    String topic = parts.length > 0 ? URLDecoder.decode(parts[0], StandardCharsets.UTF_8) : null;
    String subscriber = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    Optional<Authorization> access;
    try {
      access = auth.authenticateSubscriber(request.headers(), request.query());
    } catch (AuthException e) {
      return done(EndpointResponse.text(e.status(), e.getMessage()).withHeader("www-authenticate", e.challenge()));
    }
    if (access.isEmpty()) {
      String reason = "listing subscriptions needs a subscriber JWT";
      return done(EndpointResponse.text(401, reason).withHeader("www-authenticate", Authorizer.challenge()));
    }
    if (!covers(access.get(), request.path())) {
      String reason = "the token does not cover " + request.path();
      return done(EndpointResponse.text(403, reason)
          .withHeader("www-authenticate", Authorizer.insufficientScopeChallenge(reason)));
    }
    ArrayNode list = JSON.createArrayNode();
    for (Subscriber s : new ArrayList<>(open.values())) {
      if (subscriber != null && !subscriber.equals(s.id())) continue;
      for (String t : s.selectors()) {
        if (topic == null || topic.equals(t)) list.add(json(entry(t, s.id(), true)));
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
