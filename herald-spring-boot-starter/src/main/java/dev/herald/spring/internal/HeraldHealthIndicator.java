package dev.herald.spring.internal;

import dev.herald.server.Broker;
import dev.herald.server.BrokerStats;
import java.util.function.BooleanSupplier;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Herald in {@code /actuator/health}: up while its history can take publishes (always, in memory;
 * while Redis answers, on Redis), with the broker's counters as details.
 */
public final class HeraldHealthIndicator extends AbstractHealthIndicator {
  private final Broker broker;
  private final String store;
  private final BooleanSupplier storeReady;

  public HeraldHealthIndicator(Broker broker, String store, BooleanSupplier storeReady) {
    super("Herald health check failed");
    this.broker = broker;
    this.store = store;
    this.storeReady = storeReady;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    BrokerStats stats = broker.stats();
    (storeReady.getAsBoolean() ? builder.up() : builder.down())
        .withDetail("store", store)
        .withDetail("connections", stats.connections())
        .withDetail("published", stats.published())
        .withDetail("delivered", stats.delivered())
        .withDetail("slowConsumersClosed", stats.slowConsumersClosed());
  }
}
