package dev.herald.hub;

import dev.herald.server.CorsPolicy;
import dev.herald.server.EndpointResponse;
import dev.herald.server.EventLog;
import dev.herald.server.HeraldServer;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone hub: Herald's server speaking the Mercure protocol at
 * {@code /.well-known/mercure}, with health, readiness and metrics endpoints beside it.
 */
public final class Hub implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger("dev.herald.hub");
  /** Mercure's well-known path, for both publishing and subscribing. */
  public static final String PATH = "/.well-known/mercure";

  /** Runs the store's readiness probes, one at a time, off the event loops (a daemon: nothing to stop). */
  private static final java.util.concurrent.Executor READINESS_PROBES = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "herald-readiness");
    t.setDaemon(true);
    return t;
  });

  private final HeraldServer server;
  private final HubMetrics metrics;

  private Hub(HeraldServer server, HubMetrics metrics) {
    this.server = server;
    this.metrics = metrics;
  }

  /** What the hub is built from, besides its settings. */
  record Parts(
      HubAuth auth,
      EventLog log,
      BooleanSupplier storeReady,
      Function<String, TopicPattern> selectors,
      Function<String, TopicPattern> urlPatterns,
      HttpEndpoint pages,
      Cluster cluster) {
    /** A hub on its own, not a node of a cluster. */
    Parts(HubAuth auth, EventLog log, BooleanSupplier storeReady, Function<String, TopicPattern> selectors,
        Function<String, TopicPattern> urlPatterns, HttpEndpoint pages) {
      this(auth, log, storeReady, selectors, urlPatterns, pages, null);
    }
  }

  /** Starts a hub; {@code customize} may add routes and endpoints (the console, the demos). */
  static Hub start(HubSettings settings, Parts parts, java.util.function.Consumer<HeraldServer.Builder> customize) {
    MercureSubscriptions selector = new MercureSubscriptions(parts.auth(), settings.anonymousSubscribers(),
        parts.selectors(), parts.urlPatterns()).withMaxLifetime(settings.maxStreamLifetime());
    java.util.concurrent.atomic.AtomicReference<dev.herald.server.Broker> brokerRef = new java.util.concurrent.atomic.AtomicReference<>();
    ActiveSubscriptions active = settings.subscriptionsApi() ? new ActiveSubscriptions(brokerRef::get, parts.auth()) : null;
    if (active != null) selector.withActiveSubscriptions(active);
    HeraldServer.Builder builder = HeraldServer.builder()
        .bindAddress(settings.bindAddress())
        .port(settings.port())
        .streamPath(PATH)
        .heartbeatInterval(settings.heartbeat())
        .eventLog(parts.log())
        .cors(cors(settings.corsOrigins()))
        .streamHeader("link", "<" + PATH + ">; rel=\"mercure\"")
        .topicSelector(selector)
        .maxRequestBodyBytes(requestBodyLimit(settings.maxDataBytes()))
        .outboundBufferLimitBytes(settings.maxOutboundBytes())
        .maxQueuedFanoutBytes(settings.maxFanoutBytes());
    if (settings.tlsCert() != null) builder.tls(settings.tlsCert(), settings.tlsKey());
    HubMetrics[] metrics = new HubMetrics[1];
    MercurePublisher[] publisher = new MercurePublisher[1]; // set once the server (and its broker) exists
    builder.endpoint(PATH, request -> publisher[0].handle(request));
    builder.endpoint("/healthz", request -> text(200, "ok"));
    // The store's probe may wait for a pooled read connection: never on an event loop.
    builder.endpoint("/readyz", request -> CompletableFuture.supplyAsync(parts.storeReady()::getAsBoolean, READINESS_PROBES)
        .thenApply(ready -> ready ? EndpointResponse.text(200, "ready")
            : EndpointResponse.text(503, "not ready: the event store is not available")));
    builder.endpoint("/metrics", request -> CompletableFuture.completedFuture(EndpointResponse.of(200,
        "text/plain; version=0.0.4; charset=utf-8", metrics[0].scrape().getBytes(StandardCharsets.UTF_8))));
    HttpEndpoint pages = parts.pages();
    if (active != null) {
      builder.endpoint(ActiveSubscriptions.PATH, active::list);
      // Deeper subscription URLs (/{topic}/{subscriber}) have no fixed path: served before the pages.
      builder.fallbackEndpoint(request -> request.path().startsWith(ActiveSubscriptions.PATH + "/")
          ? active.list(request)
          : pages != null ? pages.handle(request) : text(404, "not found: " + request.path()));
    } else if (pages != null) {
      builder.fallbackEndpoint(pages);
    }
    customize.accept(builder);
    HeraldServer server = builder.build();
    brokerRef.set(server.broker());
    if (active != null) server.broker().addListener(active);
    metrics[0] = new HubMetrics(server.broker());
    Cluster cluster = parts.cluster();
    if (cluster != null) {
      cluster.report(server.broker()::connectionCount, metrics[0]::subscriptions);
      metrics[0].cluster(cluster::figures);
    }
    publisher[0] = new MercurePublisher(server.broker(), parts.auth(), settings.maxDataBytes(), metrics[0].appendLatency);
    server.start();
    return new Hub(server, metrics[0]);
  }

  /**
   * The request body limit for a given {@code --max-data-bytes}: a form-encoded body may take three
   * bytes per byte of data (percent-encoding) plus the other fields; never below the server's default.
   */
  static int requestBodyLimit(int maxDataBytes) {
    long limit = 3L * maxDataBytes + 64 * 1024;
    return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(HeraldServer.DEFAULT_MAX_REQUEST_BODY_BYTES, limit));
  }

  static CorsPolicy cors(List<String> origins) {
    if (origins.isEmpty()) return CorsPolicy.sameOrigin();
    if (origins.contains("*")) return CorsPolicy.anyOrigin();
    return CorsPolicy.allowOrigins(origins.toArray(new String[0])).withCredentials();
  }

  private static CompletableFuture<EndpointResponse> text(int status, String message) {
    return CompletableFuture.completedFuture(EndpointResponse.text(status, message));
  }

  public int port() {
    return server.port();
  }

  public HeraldServer server() {
    return server;
  }

  HubMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    server.close();
  }
}
