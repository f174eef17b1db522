package dev.herald.spring.internal;

import dev.herald.server.Broker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Herald's meters on the application's registry, under the names {@code herald serve} exposes at
 * {@code /metrics}: open streams, events published and delivered, slow consumers cut off. Read from
 * the broker's counters when the registry is scraped: nothing is counted twice on the hot path.
 */
public final class HeraldMeters implements MeterBinder {
  private final Broker broker;

  public HeraldMeters(Broker broker) {
    this.broker = broker;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("herald.connections", broker, b -> b.stats().connections())
        .description("Open event streams").register(registry);
    FunctionCounter.builder("herald.events.published", broker, b -> b.stats().published())
        .description("Events appended to the log and broadcast").register(registry);
    FunctionCounter.builder("herald.events.delivered", broker, b -> b.stats().delivered())
        .description("Event frames written to subscribers").register(registry);
    FunctionCounter.builder("herald.slow.consumers.closed", broker, b -> b.stats().slowConsumersClosed())
        .description("Subscribers closed for falling behind").register(registry);
  }
}
