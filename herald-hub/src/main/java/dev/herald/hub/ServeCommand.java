package dev.herald.hub;

import dev.herald.sqlite.SqliteEventLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code herald serve}: runs a hub until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Starts a Herald hub: Mercure publish and subscribe at /.well-known/mercure, the console at /.",
        "",
        "Every option can also be set by environment variable (--history-max-age is HERALD_HISTORY_MAX_AGE)",
        "or in a properties file given with --config (key history-max-age); the command line wins, then the",
        "environment, then the file.",
        "",
        "With no --publisher-key and no --subscriber-key the hub runs in dev mode: it makes a random HS256",
        "secret, prints a publisher and a subscriber token, and serves anonymous subscribers."})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with defaults for these options (env HERALD_CONFIG).")
  Path config;

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--bind", description = "Address to listen on. Default: 127.0.0.1 (loopback only) in dev mode, 0.0.0.0 otherwise.")
  String bind;

  @Option(names = "--public-url", paramLabel = "URL",
      description = "The hub's URL as clients reach it (e.g. https://hub.example.com/.well-known/mercure, behind a proxy):"
          + " relative topics and URL patterns resolve against it, and it is advertised in the protected-resource"
          + " metadata and 401 challenges. Default: each request's Host.")
  URI publicUrl;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate chain (PEM); with --tls-key, serves HTTPS and HTTP/2.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key (PKCS#8 PEM).")
  Path tlsKey;

  @Option(names = "--dev-tls", defaultValue = "false",
      description = "Serve HTTPS with a self-signed certificate for localhost made at start, so browsers get HTTP/2.")
  boolean devTls;

  @Option(names = "--cors-origins", split = ",", paramLabel = "ORIGIN",
      description = "Origins allowed from browsers (comma-separated, e.g. https://app.example), or * for any (no cookies then).")
  List<String> corsOrigins = List.of();

  @Option(names = "--jwt-algorithm", defaultValue = "HS256",
      description = "JWT algorithm, fixed here and never taken from a token: HS256, RS256, ES256 or EdDSA (Ed25519)."
          + " Default: ${DEFAULT-VALUE}.")
  String jwtAlgorithm;

  @Option(names = "--publisher-key", paramLabel = "KEY",
      description = "Publisher JWT key: the HS256 secret, or the path of a PEM public key for RS256/ES256/EdDSA.")
  String publisherKey;

  @Option(names = "--subscriber-key", paramLabel = "KEY",
      description = "Subscriber JWT key, as --publisher-key; defaults to the publisher key.")
  String subscriberKey;

  @Mixin
  TokenOptions tokens;

  @Option(names = "--anonymous", arity = "0..1", paramLabel = "BOOL",
      description = "Serve subscribers without a token (public updates only). Default: on in dev mode, off otherwise.")
  Boolean anonymous;

  @Option(names = "--query-token", defaultValue = "false",
      description = "Also read the JWT from the 'authorization' query parameter. Off: tokens in URLs leak into logs and history.")
  boolean queryToken;

  @Option(names = "--store", defaultValue = "sqlite",
      description = "History store: sqlite (durable, in --data-dir) or memory. Default: ${DEFAULT-VALUE}.")
  String store;

  @Option(names = "--fsync", paramLabel = "always|everysec",
      description = "With the sqlite store, when an acknowledged publish reaches the disk (as Redis's appendfsync):"
          + " everysec (default) survives a crash of the hub but a power loss or kernel crash may lose about the last"
          + " second; always waits for the disk before each acknowledgement.")
  String fsync;

  @Option(names = "--data-dir", defaultValue = "data", description = "Directory of the durable store. Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--history-max-events", defaultValue = "100000", description = "Events kept for replay. Default: ${DEFAULT-VALUE}.")
  int historyMaxEvents;

  @Option(names = "--history-max-age", defaultValue = "PT24H",
      description = "How long events are kept for replay (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
  Duration historyMaxAge;

  @Option(names = "--heartbeat", defaultValue = "PT15S",
      description = "Interval of heartbeat comments on quiet streams (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
  Duration heartbeat;

  @Option(names = "--max-stream-lifetime", paramLabel = "<duration>",
      description = "End every subscriber's stream after about this long (ISO-8601; each between 90%% and 100%% of it,"
          + " so reconnections spread): the client resumes with Last-Event-ID, possibly on another node. Default: none.")
  Duration maxStreamLifetime;

  @Option(names = "--max-data-bytes", defaultValue = "1048576", description = "Largest data of one update. Default: ${DEFAULT-VALUE}.")
  int maxDataBytes;

  @Option(names = "--max-outbound-bytes", defaultValue = "1048576", paramLabel = "<n>",
      description = "Frames a subscriber may have waiting for its socket before it is closed as a slow consumer"
          + " (it reconnects and catches up from the history). Default: ${DEFAULT-VALUE}.")
  int maxOutboundBytes;

  @Option(names = "--max-fanout-bytes", defaultValue = "67108864", paramLabel = "<n>",
      description = "Events waiting to be written to subscribers, all together, beyond which publishes are refused"
          + " with 503 and Retry-After. Default: ${DEFAULT-VALUE}.")
  long maxFanoutBytes;

  @Option(names = "--replay-page-bytes", defaultValue = "1048576", paramLabel = "<n>",
      description = "Bytes of a resuming subscriber's history read and written at a time (twice the frames, plus 256 a"
          + " event; one larger event is read alone). Default: ${DEFAULT-VALUE}.")
  long replayPageBytes;

  @Option(names = "--max-replay-bytes", defaultValue = "67108864", paramLabel = "<n>",
      description = "Bytes all resuming subscribers' history pages may hold at once, counted the same way; beyond it, resumes wait their"
          + " turn. Default: ${DEFAULT-VALUE}.")
  long maxReplayBytes;

  @Option(names = "--demo", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Serve the demos (streaming chat, ticker) beside the console. Default: on in dev mode, off otherwise.")
  Boolean demo;

  @Option(names = "--max-connections", defaultValue = "0", paramLabel = "N",
      description = "Connections open at once; beyond, a new one is answered 503 with Retry-After and closed."
          + " Default: the lower of the file-descriptor limit less 256 and the maximum heap over 8 KiB (about 32000 at -Xmx256m).")
  int maxConnections;

  @Option(names = "--max-streams", defaultValue = "0", paramLabel = "N",
      description = "Event streams open at once (at most --max-connections); beyond, 503 with Retry-After."
          + " Default: 90%% of --max-connections, the rest kept for health checks, metrics and publishes.")
  int maxStreams;

  @Option(names = "--max-connections-per-address", defaultValue = "128", paramLabel = "N",
      description = "Connections one client address may hold that are still not event streams 2 s after they opened;"
          + " beyond, one that has not sent a whole request is answered 429 with Retry-After. Raise it behind a busy"
          + " proxy. Default: ${DEFAULT-VALUE}.")
  int maxConnectionsPerAddress;

  @Option(names = "--max-new-connections-per-address", defaultValue = "1024", paramLabel = "N",
      description = "Connections one client address may open within 2 s (a burst of subscribers reconnecting through"
          + " one proxy); beyond, 429 with Retry-After. Default: ${DEFAULT-VALUE}.")
  int maxNewConnectionsPerAddress;

  @Option(names = "--connection-grace", defaultValue = "PT2S", paramLabel = "<duration>",
      description = "How long a new connection has to send a request and become a stream before it counts against"
          + " --max-connections-per-address instead of --max-new-connections-per-address (ISO-8601). Raise it on a"
          + " heavily loaded server. Default: ${DEFAULT-VALUE}.")
  Duration connectionGrace;

  @Option(names = "--request-timeout", defaultValue = "PT30S", paramLabel = "<duration>",
      description = "A request must arrive whole within this from its first byte (else 408), and a connection"
          + " silent this long with no request under way is closed (ISO-8601). Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(names = "--subscriptions", defaultValue = "false",
      description = "Publish subscribe and unsubscribe events and serve " + ActiveSubscriptions.PATH
          + " (Mercure's active subscriptions), for subscribers whose JWT covers them.")
  boolean subscriptions;

  @Option(names = "--redis", paramLabel = "URI",
      description = "Cluster mode: share one history with other hubs through this Redis (redis://[:password@]host:port,"
          + " rediss:// for TLS, redis-sentinel:// for Sentinel). Publishes are acknowledged once Redis has them.")
  String redis;

  @Option(names = "--redis-replicas", defaultValue = "0", paramLabel = "N",
      description = "With --redis: acknowledge a publish only once N Redis replicas received it (WAIT N 500 ms), so that a"
          + " failover to a replica loses no acknowledged event. Default: ${DEFAULT-VALUE} (do not wait).")
  int redisReplicas;

  @Option(names = "--chat-upstream", paramLabel = "URL",
      description = "Relay the chat demo to an OpenAI-compatible streaming chat endpoint (key from HERALD_CHAT_API_KEY).")
  String chatUpstream;

  @Override
  public Integer call() throws Exception {
    HubSettings settings = settings();
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // Before the start: a stop asked for while the hub starts is answered as soon as it is up.
    onStopSignals(stop::countDown);
    // Any other way out (SIGHUP, a System.exit elsewhere) still waits for the hub to close.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        closed.await(Hub.CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "herald-shutdown"));
    try (Hub hub = Hub.start(settings, chatUpstream, System.out)) {
      stop.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  /**
   * SIGTERM and SIGINT are how an operator (systemd, Kubernetes, Ctrl-C) asks for a stop: the hub
   * then closes on the main thread and the process exits 0. Left to the JVM they would run the
   * shutdown hooks and exit 143 and 130, which supervisors report as a failure.
   */
  private static void onStopSignals(Runnable stop) {
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.run());
      } catch (IllegalArgumentException e) {
        // Not available here (the JVM runs with -Xrs, or the OS lacks it): the shutdown hook still closes the hub.
        Hub.LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
  }

  HubSettings settings() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--tls-cert and --tls-key go together");
    }
    if (!List.of("HS256", "RS256", "ES256", "EdDSA").contains(jwtAlgorithm)) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--jwt-algorithm must be HS256, RS256, ES256 or EdDSA, not " + jwtAlgorithm);
    }
    if (!store.equals("sqlite") && !store.equals("memory")) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--store must be sqlite or memory, not " + store);
    }
    if (fsync != null && !fsync.equals("always") && !fsync.equals("everysec")) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--fsync must be always or everysec, not " + fsync);
    }
    if (fsync != null && (redis != null || !store.equals("sqlite"))) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--fsync applies to the sqlite store only (Redis has its own appendfsync; memory keeps nothing)");
    }
    if (redisReplicas < 0) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--redis-replicas must not be negative: " + redisReplicas);
    }
    if (redisReplicas > 0 && redis == null) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--redis-replicas needs --redis");
    }
    if (redis != null) {
      String problem = RedisStore.checkUri(redis);
      if (problem != null) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--redis " + problem);
      }
    }
    if (maxStreamLifetime != null && (maxStreamLifetime.isNegative() || maxStreamLifetime.isZero())) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--max-stream-lifetime must be positive: " + maxStreamLifetime);
    }
    if (publicUrl != null && (!publicUrl.isAbsolute() || publicUrl.getRawAuthority() == null
        || !(publicUrl.getScheme().equals("https") || publicUrl.getScheme().equals("http")))) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--public-url must be an absolute http(s) URL, like https://hub.example.com/.well-known/mercure: " + publicUrl);
    }
    positive(maxDataBytes, "--max-data-bytes");
    positive(maxOutboundBytes, "--max-outbound-bytes");
    positive(maxFanoutBytes, "--max-fanout-bytes");
    positive(replayPageBytes, "--replay-page-bytes");
    positive(maxReplayBytes, "--max-replay-bytes");
    TokenPolicy tokenPolicy = tokens.policy();
    boolean devMode = publisherKey == null && subscriberKey == null && tokenPolicy.jwks() == null;
    // A dev-mode hub prints tokens that publish anything and serves anyone: this machine only,
    // unless the operator says otherwise. Its demos are on unless asked off; a hub with keys is
    // someone's production, where they are off unless asked for.
    String bindAddress = bind != null ? bind : devMode ? "127.0.0.1" : "0.0.0.0";
    boolean demos = demo != null ? demo : devMode;
    return new HubSettings(bindAddress, port, tlsCert, tlsKey, devTls, corsOrigins, jwtAlgorithm, publisherKey,
        subscriberKey, anonymous != null ? anonymous : devMode, queryToken, store, dataDir, historyMaxEvents,
        historyMaxAge, heartbeat, maxStreamLifetime, maxDataBytes, maxOutboundBytes, maxFanoutBytes, replayPageBytes,
        maxReplayBytes, demos, subscriptions, redis, redisReplicas, tokenPolicy, publicUrl,
        "always".equals(fsync) ? SqliteEventLog.Durability.FSYNC_ALWAYS : SqliteEventLog.DEFAULT_DURABILITY,
        connectionLimits());
  }

  private ConnectionLimits connectionLimits() {
    if (maxConnections < 0) throw refused("--max-connections must not be negative: " + maxConnections);
    if (maxStreams < 0) throw refused("--max-streams must not be negative: " + maxStreams);
    if (maxConnections > 0 && maxStreams > maxConnections) {
      throw refused("--max-streams (" + maxStreams + ") must not exceed --max-connections (" + maxConnections + ")");
    }
    positive(maxConnectionsPerAddress, "--max-connections-per-address");
    positive(maxNewConnectionsPerAddress, "--max-new-connections-per-address");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw refused("--request-timeout must be positive: " + requestTimeout);
    }
    if (connectionGrace.isNegative() || connectionGrace.isZero()) {
      throw refused("--connection-grace must be positive: " + connectionGrace);
    }
    return new ConnectionLimits(maxConnections, maxStreams, maxConnectionsPerAddress, maxNewConnectionsPerAddress,
        connectionGrace, requestTimeout);
  }

  private picocli.CommandLine.ParameterException refused(String message) {
    return new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), message);
  }

  private void positive(long value, String option) {
    if (value <= 0) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), option + " must be positive: " + value);
    }
  }
}
