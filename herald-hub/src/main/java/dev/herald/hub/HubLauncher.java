package dev.herald.hub;

import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import dev.herald.server.InMemoryEventLog;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Assembles a hub from its settings (store, auth, console, demos) and starts it. */
final class HubLauncher {
  private HubLauncher() {}

  /** A started hub and everything started with it, closed in reverse order. */
  static final class Running implements AutoCloseable {
    final Hub hub;
    private final List<AutoCloseable> resources;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    Running(Hub hub, List<AutoCloseable> resources) {
      this.hub = hub;
      this.resources = resources;
    }

    /**
     * Idempotent: {@code herald serve} closes from its shutdown hook and again as its main thread
     * leaves, and a second close of the resources (the dev-TLS certificate's files) would only warn.
     */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) return;
      if (hub != null) hub.close();
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception e) {
          Hub.LOG.warn("closing {} failed", resources.get(i), e);
        }
      }
    }
  }

  static Running start(HubSettings settings, String chatUpstream, PrintStream out) throws Exception {
    List<AutoCloseable> resources = new ArrayList<>();
    if (settings.devTls() && settings.tlsCert() == null) {
      SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
      resources.add(cert::delete);
      settings = withTls(settings, cert.certificate().toPath(), cert.privateKey().toPath());
    }
    EventLog log = eventLog(settings);
    Hub hub;
    try {
      Hub.Parts parts = HubParts.assemble(settings, log, out);
      HubSettings s = settings;
      List<java.util.concurrent.atomic.AtomicReference<Broker>> demoBroker = new ArrayList<>(1);
      hub = Hub.start(settings, parts, builder -> demoBroker.add(HubParts.customize(s, builder, chatUpstream, parts.cluster(), resources)));
      demoBroker.get(0).set(hub.server().broker());
    } catch (Exception | Error e) {
      // The server closes the log once it has started; before that, it is ours to close.
      log.close();
      new Running(null, resources).close();
      throw e;
    }
    String scheme = settings.tlsCert() != null ? "https" : "http";
    String host = settings.bindAddress().equals("0.0.0.0") ? "localhost" : settings.bindAddress();
    Hub.LOG.info("Herald hub ready: {}://{}:{}/ (console), {}://{}:{}{} (publish and subscribe), store {}",
        scheme, host, hub.port(), scheme, host, hub.port(), Hub.PATH,
        settings.store().equals("sqlite") ? settings.dataDir().toAbsolutePath() : "memory");
    return new Running(hub, resources);
  }

  static EventLog eventLog(HubSettings settings) throws Exception {
    // Only here is anything of Redis loaded: a hub without --redis never touches it.
    if (settings.redis() != null) return RedisStore.connect(settings);
    if (settings.store().equals("memory")) {
      return InMemoryEventLog.create(settings.historyMaxEvents(), InMemoryEventLog.DEFAULT_MAX_BYTES, settings.historyMaxAge());
    }
    return HubParts.durableLog(settings);
  }

  private static HubSettings withTls(HubSettings s, Path cert, Path key) {
    return new HubSettings(s.bindAddress(), s.port(), cert, key, true, s.corsOrigins(), s.jwtAlgorithm(),
        s.publisherKey(), s.subscriberKey(), s.anonymousSubscribers(), s.queryToken(), s.store(), s.dataDir(),
        s.historyMaxEvents(), s.historyMaxAge(), s.heartbeat(), s.maxStreamLifetime(), s.maxDataBytes(), s.maxOutboundBytes(),
        s.maxFanoutBytes(), s.demo(), s.subscriptionsApi(), s.redis(),
        s.redisReplicas(), s.tokens());
  }
}
