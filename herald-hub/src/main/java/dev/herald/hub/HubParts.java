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
import dev.herald.hub.store.SqliteEventLog;
import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import dev.herald.server.HeraldServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The hub's parts built from its settings: the store, the JWT auth, the console and demos. */
final class HubParts {
  private HubParts() {}

  static EventLog durableLog(HubSettings settings) throws IOException {
    return SqliteEventLog.open(settings.dataDir(), settings.historyMaxEvents(), settings.historyMaxAge());
  }

  static Hub.Parts assemble(HubSettings settings, EventLog log, PrintStream out) throws IOException {
    // Ready when the durable store answers; the in-memory log always does.
    java.util.function.BooleanSupplier ready = log instanceof SqliteEventLog ? ((SqliteEventLog) log)::ready
        : settings.redis() != null ? () -> RedisStore.ready(log) : () -> true;
    Cluster cluster = settings.redis() != null ? RedisStore.cluster(log) : null;
    return new Hub.Parts(authorizer(settings, out), log, ready,
        MercureSelector::template, MercureSelector::urlPattern, new ConsolePages(settings.demo()), cluster);
  }

  static Authorizer authorizer(HubSettings settings, PrintStream out) throws IOException {
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
      out.println("  Set your own keys before going to production: see docs/auth.md.");
      out.println();
      authorizer = Authorizer.of(settings.tokens().applyTo(keys.verifier()));
    } else if (settings.tokens().jwks() != null) {
      if (settings.publisherKey() != null || settings.subscriberKey() != null) {
        throw new IllegalArgumentException("--jwks replaces --publisher-key and --subscriber-key: give one or the other");
      }
      JwtVerifier keySet = JwtVerifier.keySet(KeySets.at(settings.tokens().jwks()),
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

  private static JwtVerifier verifier(String algorithm, String key) throws IOException {
    if (algorithm.equals("HS256")) return JwtVerifier.hs256(key);
    return JwtVerifier.publicKey(JwtVerifier.Algorithm.valueOf(algorithm), Path.of(key));
  }

  /** Adds the demos and the console's live figures to the server being built. */
  static AtomicReference<Broker> customize(HubSettings settings, HeraldServer.Builder builder, String chatUpstream,
      Cluster cluster, List<AutoCloseable> resources) {
    AtomicReference<Broker> broker = new AtomicReference<>();
    ChatResponder responder = !settings.demo() ? null
        : chatUpstream == null ? new OfflineResponder()
        : OpenAiUpstreamResponder.fromEnvironment(URI.create(chatUpstream), System.getenv());
    resources.add(Demos.install(builder, broker::get, responder, settings.demo(),
        cluster == null ? Optional::empty : cluster::figures));
    return broker;
  }
}
