package dev.herald.spring;

import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import dev.herald.server.InMemoryEventLog;
import dev.herald.spring.internal.AuthenticatedTopics;
import dev.herald.spring.internal.HeraldHealthIndicator;
import dev.herald.spring.internal.HeraldMeters;
import dev.herald.spring.internal.HeraldShutdown;
import dev.herald.spring.internal.RedisStore;
import dev.herald.spring.internal.SqliteStore;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * Herald in a Spring Boot application: the {@link EventLog} chosen by {@code herald.store}, the
 * {@link Broker} to publish with from any bean, the default {@link SubscribeAuthorizer}, Herald's
 * meters and health, and the end of every stream in Spring's shutdown phase. The web side (the
 * stream endpoint on MVC or WebFlux) is configured by {@link HeraldWebAutoConfiguration}.
 */
@AutoConfiguration
@EnableConfigurationProperties(HeraldProperties.class)
public class HeraldAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  EventLog heraldEventLog(HeraldProperties properties, ResourceLoader resources) {
    // The application's class loader decides whether an optional store module is there.
    ClassLoader classLoader = resources.getClassLoader();
    return switch (properties.effectiveStore()) {
      case MEMORY -> InMemoryEventLog.create(properties.getMemory().getMaxEvents(),
          properties.getMemory().getMaxBytes(), properties.getMemory().getMaxAge());
      case REDIS -> RedisStore.connect(properties.getRedis(), classLoader);
      case SQLITE -> SqliteStore.open(properties.getSqlite(), classLoader);
    };
  }

  /** The broker over the log, with its event loops; it closes the log when it closes. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Broker heraldBroker(EventLog log, HeraldProperties properties) {
    return Broker.builder(log)
        .heartbeatInterval(properties.getHeartbeatInterval())
        .retryHint(properties.getRetryHint())
        .build();
  }

  @Bean
  HeraldShutdown heraldShutdown(Broker broker) {
    return new HeraldShutdown(broker);
  }

  /** The default authorisation, for an application with Spring Security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Authentication.class)
  static class SecurityAuthorizer {
    @Bean
    @ConditionalOnMissingBean
    SubscribeAuthorizer heraldSubscribeAuthorizer(HeraldProperties properties) {
      return new AuthenticatedTopics(properties.getAuthenticatedTopics(), principal ->
          !(principal instanceof Authentication a) || (a.isAuthenticated() && !(a instanceof AnonymousAuthenticationToken)));
    }
  }

  /** The default authorisation, for an application without Spring Security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("org.springframework.security.core.Authentication")
  static class PlainAuthorizer {
    @Bean
    @ConditionalOnMissingBean
    SubscribeAuthorizer heraldSubscribeAuthorizer(HeraldProperties properties) {
      return new AuthenticatedTopics(properties.getAuthenticatedTopics(), principal -> true);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  static class Meters {
    @Bean
    MeterBinder heraldMeters(Broker broker) {
      return new HeraldMeters(broker);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "heraldHealthIndicator")
    HealthIndicator heraldHealthIndicator(Broker broker, EventLog log, HeraldProperties properties) {
      return new HeraldHealthIndicator(broker, properties.effectiveStore().name().toLowerCase(Locale.ROOT),
          RedisStore.readiness(log));
    }
  }
}
