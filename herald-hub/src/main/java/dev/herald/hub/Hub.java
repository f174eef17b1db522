package dev.herald.hub;

import dev.herald.hub.auth.Authorizer;
import dev.herald.hub.auth.DevKeys;
import dev.herald.hub.auth.JwtVerifier;
import dev.herald.hub.auth.KeySets;
import dev.herald.hub.auth.MercureSelector;
import dev.herald.hub.auth.TokenExtractor;
import dev.herald.hub.console.ChatResponder;
import dev.herald.hub.console.ConsolePages;
import dev.herald.hub.console.Demos;
import dev.herald.hub.console.OfflineResponder;
import dev.herald.hub.console.OpenAiUpstreamResponder;
import dev.herald.server.Broker;
import dev.herald.server.CorsPolicy;
import dev.herald.server.EndpointResponse;
import dev.herald.server.EventLog;
import dev.herald.server.HeraldServer;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.TopicPattern;
import dev.herald.sqlite.SqliteEventLog;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone hub: Herald's server speaking the Mercure protocol at
 * {@code /.well-known/mercure}, with health, readiness and metrics endpoints, the console and the
 * demos beside it. This class is where the hub is assembled, in one place, in order: the parts
 * from the settings ({@link #start(HubSettings, String, PrintStream)}), then the broker on the
 * log, then everything that uses the broker, then the server on it ({@link #start(HubSettings,
 * Parts)}).
 */
public final class Hub implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger("dev.herald.hub");
  /** Mercure's well-known path, for both publishing and subscribing. */
  public static final String PATH = "/.well-known/mercure";
  /**
   * Longest a close takes: streams ended (5 s), connections closed (2 s), the store's writer
   * finishing what it accepted (30 s), with room to spare.
   */
  static final java.time.Duration CLOSE_TIMEOUT = java.time.Duration.ofSeconds(40);

  /** Runs the store's readiness probes, one at a time, off the event loops (a daemon: nothing to stop). */
  private static final Executor READINESS_PROBES = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "herald-readiness");
    t.setDaemon(true);
    return t;
  });

  private final HeraldServer server;
  private final HubMetrics metrics;
  private final Demos demos; // closed before the server: a ticker publishing into a closed broker leaks its frames
  private final List<AutoCloseable> resources; // closed after the server, last first
  private final AtomicBoolean closed = new AtomicBoolean();

  private Hub(HeraldServer server, HubMetrics metrics, Demos demos, List<AutoCloseable> resources) {
    this.demos = demos;
    this.server = server;
    this.metrics = metrics;
    this.resources = resources;
  }

  /**
   * What a hub is built from besides its settings: {@code herald serve} makes them from its
   * settings, tests bring their own (a fake auth, an in-memory log).
   *
   * @param tls the certificate chain and key to serve TLS with, or null
   * @param cluster what a node of a cluster reports and sees, or null for a hub on its own
   * @param chat the chat demo's responder (closed with the demos), or null when the demos are off
   * @param resources closed after the hub's server, last first (a dev certificate's files)
   */
  record Parts(
      Authorizer auth,
      EventLog log,
      BooleanSupplier storeReady,
      Function<String, TopicPattern> selectors,
      Function<String, TopicPattern> urlPatterns,
      HttpEndpoint pages,
      Tls tls,
      Cluster cluster,
      ChatResponder chat,
      List<AutoCloseable> resources) {
    /** A hub on its own, without TLS or demos. */
    Parts(Authorizer auth, EventLog log, BooleanSupplier storeReady, Function<String, TopicPattern> selectors,
        Function<String, TopicPattern> urlPatterns, HttpEndpoint pages) {
      this(auth, log, storeReady, selectors, urlPatterns, pages, null, null, null, List.of());
    }
  }

  /** A PEM certificate chain and its PKCS#8 PEM key. */
  record Tls(Path certificate, Path key) {}

  /**
   * Starts the hub {@code herald serve} runs: its parts from {@code settings} (TLS, the store, JWT
   * auth, the console and the chat's responder; dev-mode tokens go to {@code out}), then {@link
   * #start(HubSettings, Parts)}.
   */
  static Hub start(HubSettings settings, String chatUpstream, PrintStream out) throws Exception {
    List<AutoCloseable> resources = new ArrayList<>();
    EventLog log = null;
    try {
      Tls tls = settings.tlsCert() != null ? new Tls(settings.tlsCert(), settings.tlsKey()) : null;
      if (tls == null && settings.devTls()) {
        SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
        resources.add(cert::delete);
        tls = new Tls(cert.certificate().toPath(), cert.privateKey().toPath());
      }
      log = eventLog(settings);
      // Only with --redis is anything of Redis loaded: a hub without it never touches Lettuce.
      boolean redis = settings.redis() != null;
      EventLog store = log;
      BooleanSupplier ready = log instanceof SqliteEventLog ? ((SqliteEventLog) log)::ready
          : redis ? () -> RedisStore.ready(store) : () -> true;
      Parts parts = new Parts(authorizer(settings, out, resources), log, ready,
          MercureSelector::template, MercureSelector::urlPattern, new ConsolePages(settings.demo()), tls,
          redis ? RedisStore.cluster(log) : null, chatResponder(settings, chatUpstream), resources);
      log = null; // the broker's from here: it closes the log
      Hub hub = start(settings, parts);
      String scheme = tls != null ? "https" : "http";
      String host = settings.bindAddress().equals("0.0.0.0") || settings.bindAddress().equals("127.0.0.1") ? "localhost"
          : settings.bindAddress();
      LOG.info("Herald hub ready: {}://{}:{}/ (console), {}://{}:{}{} (publish and subscribe), store {}",
          scheme, host, hub.port(), scheme, host, hub.port(), PATH,
          redis ? "redis" : settings.store().equals("sqlite") ? settings.dataDir().toAbsolutePath() : "memory");
      return hub;
    } catch (Exception | Error e) {
      if (log != null) log.close();
      closeAll(resources);
      throw e;
    }
  }

  /**
   * Starts a hub from its parts: the broker on the log first, then what publishes to it and
   * observes it, then the server serving it.
   */
  static Hub start(HubSettings settings, Parts parts) {
    Broker broker = Broker.builder(parts.log())
        .heartbeatInterval(settings.heartbeat())
        .maxQueuedFanoutBytes(settings.maxFanoutBytes())
        .replayPageBytes(settings.replayPageBytes())
        .maxReplayBytes(settings.maxReplayBytes())
        .build();
    try {
      return start(settings, parts, broker);
    } catch (RuntimeException | Error e) {
      broker.close(); // and the log with it
      throw e;
    }
  }

  /** Starts a hub on a broker built on {@code parts.log()} (tests choose its event loops). */
  static Hub start(HubSettings settings, Parts parts, Broker broker) {
    HubMetrics metrics = new HubMetrics(broker);
    Cluster cluster = parts.cluster();
    if (cluster != null) {
      cluster.report(broker::connectionCount, metrics::subscriptions);
      metrics.cluster(cluster::counts);
    }
    HubUrl hubUrl = HubUrl.of(settings);
    Authorizer auth = parts.auth().withHubUrl(hubUrl.base());
    Function<String, TopicPattern> urlPatterns = text -> {
      TopicPattern pattern = parts.urlPatterns().apply(text);
      return pattern instanceof MercureSelector s ? s.against(hubUrl.base()) : pattern;
    };
    MercurePublisher publisher = new MercurePublisher(broker, auth, hubUrl, settings.maxDataBytes(), metrics.appendLatency);
    MercureSubscriptions selector = new MercureSubscriptions(auth, hubUrl, settings.anonymousSubscribers(),
        parts.selectors(), urlPatterns).withMaxLifetime(settings.maxStreamLifetime());
    ActiveSubscriptions active = null;
    if (settings.subscriptionsApi()) {
      active = new ActiveSubscriptions(broker, auth, hubUrl);
      selector.withActiveSubscriptions(active);
      broker.addListener(active);
    }
    if (settings.tokens().maxStreamsPerToken() > 0) {
      TokenStreamLimit streamLimit = new TokenStreamLimit(settings.tokens().maxStreamsPerToken(),
          auth.tokenExtractor());
      selector.withStreamLimit(streamLimit);
      broker.addListener(streamLimit);
    }

    HeraldServer.Builder server = HeraldServer.builder()
        .broker(broker)
        .bindAddress(settings.bindAddress())
        .port(settings.port())
        .streamPath(PATH)
        .cors(cors(settings.corsOrigins()))
        .streamHeader("link", "<" + PATH + ">; rel=\"mercure\"")
        .resumeHeader("mercure-last-event-id")
        .topicSelector(selector)
        .maxRequestBodyBytes(requestBodyLimit(settings.maxDataBytes()))
        .outboundBufferLimitBytes(settings.maxOutboundBytes());
    settings.connections().applyTo(server);
    if (parts.tls() != null) server.tls(parts.tls().certificate(), parts.tls().key());
    server.endpoint(PATH, publisher);
    server.endpoint("/healthz", request -> text(200, "ok"));
    server.endpoint(ResourceMetadata.PATH, new ResourceMetadata(settings, hubUrl));
    // The store's probe may wait for a pooled read connection: never on an event loop.
    server.endpoint("/readyz", request -> CompletableFuture.supplyAsync(parts.storeReady()::getAsBoolean, READINESS_PROBES)
        .thenApply(ready -> ready ? EndpointResponse.text(200, "ready")
            : EndpointResponse.text(503, "not ready: the event store is not available")));
    server.endpoint("/metrics", request -> CompletableFuture.completedFuture(EndpointResponse.of(200,
        "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8))));
    HttpEndpoint pages = parts.pages();
    if (active != null) {
      ActiveSubscriptions subscriptions = active;
      server.endpoint(ActiveSubscriptions.PATH, subscriptions::list);
      // Deeper subscription URLs (/{topic}/{subscriber}) have no fixed path: served before the pages.
      server.fallbackEndpoint(request -> request.path().startsWith(ActiveSubscriptions.PATH + "/")
          ? subscriptions.list(request)
          : pages != null ? pages.handle(request) : text(404, "not found: " + request.path()));
    } else if (pages != null) {
      server.fallbackEndpoint(pages);
    }
    Demos demos = Demos.install(server, broker, parts.chat(), settings.demo(),
        cluster != null ? cluster::counts : Optional::empty);
    try {
      return new Hub(server.build().start(), metrics, demos, parts.resources());
    } catch (RuntimeException | Error e) {
      demos.close();
      throw e;
    }
  }

  static EventLog eventLog(HubSettings settings) throws IOException {
    if (settings.redis() != null) return RedisStore.connect(settings);
    if (settings.store().equals("memory")) {
      return InMemoryEventLog.create(settings.historyMaxEvents(), InMemoryEventLog.DEFAULT_MAX_BYTES, settings.historyMaxAge());
    }
    return SqliteEventLog.open(settings.dataDir(), settings.historyMaxEvents(), settings.historyMaxAge(),
        settings.durability());
  }

  /** As {@link #authorizer(HubSettings, PrintStream, List)}, for settings whose keys need nothing closed. */
  static Authorizer authorizer(HubSettings settings, PrintStream out) throws IOException, InterruptedException {
    return authorizer(settings, out, new ArrayList<>());
  }

  /**
   * The JWT authorizer of the settings' keys; in dev mode, of fresh keys whose tokens go to {@code
   * out}. What it must have closed with the hub (a JWK Set's fetcher) goes to {@code resources}.
   */
  static Authorizer authorizer(HubSettings settings, PrintStream out, List<AutoCloseable> resources)
      throws IOException, InterruptedException {
    Authorizer authorizer;
    if (settings.devMode()) {
      DevKeys keys = DevKeys.generate();
      out.println();
      out.println("  Herald is running in DEV MODE: no --publisher-key or --subscriber-key was given,");
      out.println("  so it made a random HS256 secret for this run"
          + (settings.anonymousSubscribers() ? " and serves anonymous subscribers." : "."));
      out.println("  Publisher token (may publish to every topic):");
      out.println("    " + keys.publisherToken());
      out.println("  Subscriber token (may receive every private update):");
      out.println("    " + keys.subscriberToken());
      if (isLoopback(settings.bindAddress())) {
        out.println("  It listens on " + settings.bindAddress() + " only, so no other machine reaches it;"
            + " --bind 0.0.0.0 opens it to the network.");
      } else {
        out.println("  It listens on " + settings.bindAddress() + ": anyone who reaches this port may subscribe.");
      }
      out.println("  Set your own keys before going to production: see docs/auth.md.");
      out.println();
      authorizer = Authorizer.of(settings.tokens().applyTo(keys.verifier()));
    } else if (settings.tokens().jwks() != null) {
      if (settings.publisherKey() != null || settings.subscriberKey() != null) {
        throw new IllegalArgumentException("--jwks replaces --publisher-key and --subscriber-key: give one or the other");
      }
      JwtVerifier keySet = JwtVerifier.keySet(KeySets.at(settings.tokens().jwks(), resources),
          EnumSet.of(JwtVerifier.Algorithm.RS256, JwtVerifier.Algorithm.ES256, JwtVerifier.Algorithm.EdDSA));
      authorizer = Authorizer.of(settings.tokens().applyTo(keySet));
    } else {
      String publisherKey = settings.publisherKey() != null ? settings.publisherKey() : settings.subscriberKey();
      String subscriberKey = settings.subscriberKey() != null ? settings.subscriberKey() : publisherKey;
      authorizer = Authorizer.of(settings.tokens().applyTo(verifier(settings.jwtAlgorithm(), publisherKey)),
          settings.tokens().applyTo(verifier(settings.jwtAlgorithm(), subscriberKey)));
    }
    return authorizer
        .withTokenExtractor(TokenExtractor.defaults().withQueryParameter(settings.queryToken()))
        .withPublishOrigins(new HashSet<>(settings.corsOrigins()));
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("localhost");
  }

  private static JwtVerifier verifier(String algorithm, String key) throws IOException {
    if (algorithm.equals("HS256")) return JwtVerifier.hs256(key);
    return JwtVerifier.publicKey(JwtVerifier.Algorithm.valueOf(algorithm), Path.of(key));
  }

  private static ChatResponder chatResponder(HubSettings settings, String chatUpstream) {
    if (!settings.demo()) return null;
    if (chatUpstream == null) return new OfflineResponder();
    return OpenAiUpstreamResponder.fromEnvironment(URI.create(chatUpstream), System.getenv());
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

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", resources.get(i), e);
      }
    }
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

  /**
   * Closes the demos, then the server (which closes the broker and the log), then the rest, last first.
   * Idempotent: {@code herald serve} closes from its shutdown hook and again as its main thread
   * leaves, and a second close of the resources (the dev-TLS certificate's files) would only warn.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    demos.close();
    server.close();
    closeAll(resources);
  }
}
