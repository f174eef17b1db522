package dev.herald.hub;

import dev.herald.redis.ClusterCounts;
import dev.herald.server.Broker;
import dev.herald.server.BrokerListener;
import dev.herald.server.StreamRequest;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The hub's metrics through Micrometer, scraped as Prometheus text at {@code /metrics}:
 * connections, subscriptions, events published and delivered, slow consumers dropped, the
 * store's append latency and, on a cluster node, the whole cluster's nodes, connections and
 * subscriptions.
 */
final class HubMetrics implements BrokerListener {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final Timer appendLatency;
  private final DistributionSummary topicsPerSubscription;
  private final AtomicLong subscriptions = new AtomicLong();

  HubMetrics(Broker broker) {
    Gauge.builder("herald.connections", broker, b -> b.stats().connections())
        .description("Open event streams").register(registry);
    Gauge.builder("herald.subscriptions", subscriptions, AtomicLong::get)
        .description("Topic selectors followed by open streams").register(registry);
    FunctionCounter.builder("herald.events.published", broker, b -> b.stats().published())
        .description("Events appended to the log and broadcast").register(registry);
    FunctionCounter.builder("herald.events.delivered", broker, b -> b.stats().delivered())
        .description("Event frames written to subscribers").register(registry);
    FunctionCounter.builder("herald.slow.consumers.closed", broker, b -> b.stats().slowConsumersClosed())
        .description("Subscribers closed for falling behind").register(registry);
    Gauge.builder("herald.replay.bytes", broker, b -> b.stats().replayBytes())
        .description("Bytes of history resuming streams hold now, within --max-replay-bytes").register(registry);
    Gauge.builder("herald.replay.bytes.peak", broker, b -> b.stats().replayBytesPeak())
        .description("Most bytes of history resuming streams held at once since the start").register(registry);
    Gauge.builder("herald.replay.waiting", broker, b -> b.stats().replaysWaiting())
        .description("Resuming streams waiting for replay budget").register(registry);
    appendLatency = Timer.builder("herald.store.append")
        .description("Time from publish to the log's acknowledgement")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    topicsPerSubscription = DistributionSummary.builder("herald.subscription.topics")
        .description("Topic selectors per subscription").register(registry);
    broker.addListener(this);
  }

  @Override
  public void onConnect(StreamRequest request) {
    int n = MercureSubscriptions.selectorCount(request);
    subscriptions.addAndGet(n);
    topicsPerSubscription.record(n);
  }

  @Override
  public void onDisconnect(StreamRequest request, String reason) {
    int n = MercureSubscriptions.selectorCount(request);
    subscriptions.addAndGet(-n);
  }

  /** Topic selectors followed by this node's open streams. */
  long subscriptions() {
    return subscriptions.get();
  }

  /** Adds the cluster's figures ({@code herald_cluster_*}); NaN while they are not known. */
  void cluster(Supplier<Optional<ClusterCounts>> figures) {
    // Strong references: a gauge holds its object weakly, and nothing else holds this supplier.
    Gauge.builder("herald.cluster.nodes", figures, f -> f.get().map(c -> (double) c.nodes()).orElse(Double.NaN))
        .description("Hub nodes of the cluster that reported their counts recently").strongReference(true)
        .register(registry);
    Gauge.builder("herald.cluster.connections", figures,
            f -> f.get().map(c -> (double) c.connections()).orElse(Double.NaN))
        .description("Open event streams on every node of the cluster").strongReference(true).register(registry);
    Gauge.builder("herald.cluster.subscriptions", figures,
            f -> f.get().map(c -> (double) c.subscriptions()).orElse(Double.NaN))
        .description("Topic selectors followed on every node of the cluster").strongReference(true)
        .register(registry);
  }

  String scrape() {
    return registry.scrape();
  }
}
