package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicPattern;
import dev.herald.sqlite.SqliteEventLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;

/** What the starter configures from properties alone, without a web server. */
class HeraldAutoConfigurationTest {
  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

  @Test
  void aBrokerOverAnInMemoryLogIsThereWithNoSettingAtAll() {
    context.run(app -> {
      assertThat(app).hasSingleBean(Broker.class).hasSingleBean(EventLog.class);
      assertThat(app.getBean(EventLog.class)).isInstanceOf(InMemoryEventLog.class);
      String id = app.getBean(Broker.class).publish("news", Event.of("hello")).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      assertThat(id).isNotEmpty();
    });
  }

  @Test
  void anApplicationsOwnLogReplacesTheDefault() {
    InMemoryEventLog own = InMemoryEventLog.create(5, 1024 * 1024, java.time.Duration.ofMinutes(1));
    context.withBean(EventLog.class, () -> own).run(app -> assertThat(app.getBean(EventLog.class)).isSameAs(own));
  }

  @Test
  void aRedisUriAloneChoosesTheRedisStore() {
    HeraldProperties properties = new HeraldProperties();
    properties.getRedis().setUri("redis://127.0.0.1:6379");
    assertThat(properties.effectiveStore()).isEqualTo(HeraldProperties.Store.REDIS);
    properties.setStore(HeraldProperties.Store.MEMORY);
    assertThat(properties.effectiveStore()).isEqualTo(HeraldProperties.Store.MEMORY);
  }

  @Test
  void theRedisStoreWithoutAUriFailsTheStartWithWhatIsMissing() {
    context.withPropertyValues("herald.store=redis").run(app -> {
      assertThat(app).hasFailed();
      assertThat(app.getStartupFailure()).rootCause().hasMessageContaining("herald.redis.uri");
    });
  }

  @Test
  void tomcatBufferSizesTooSmallToServeFailTheStartNamingTheProperty() {
    context.withPropertyValues("herald.tomcat.socket-buffer-bytes=100").run(app -> {
      assertThat(app).hasFailed();
      assertThat(app.getStartupFailure()).rootCause().hasMessageContaining("herald.tomcat.socket-buffer-bytes");
    });
    context.withPropertyValues("herald.tomcat.max-trailer-bytes=10").run(app -> {
      assertThat(app).hasFailed();
      assertThat(app.getStartupFailure()).rootCause().hasMessageContaining("herald.tomcat.max-trailer-bytes");
    });
  }

  @Test
  void theSqliteStoreWithoutHeraldSqliteFailsTheStartNamingTheArtifactToAdd() {
    context.withClassLoader(new FilteredClassLoader("dev.herald.sqlite"))
        .withPropertyValues("herald.store=sqlite").run(app -> {
          assertThat(app).hasFailed();
          assertThat(app.getStartupFailure()).rootCause().hasMessageContaining("dev.herald:herald-sqlite");
        });
  }

  @Test
  void theRedisStoreWithoutHeraldRedisFailsTheStartNamingTheArtifactToAdd() {
    context.withClassLoader(new FilteredClassLoader("dev.herald.redis"))
        .withPropertyValues("herald.redis.uri=redis://127.0.0.1:1").run(app -> {
          assertThat(app).hasFailed();
          assertThat(app.getStartupFailure()).rootCause().hasMessageContaining("dev.herald:herald-redis");
        });
  }

  @Test
  void theSqliteStoreKeepsItsFileInTheConfiguredDirectory(@TempDir java.nio.file.Path dir) {
    context.withPropertyValues("herald.store=sqlite", "herald.sqlite.directory=" + dir).run(app -> {
      assertThat(app.getBean(EventLog.class)).isInstanceOf(SqliteEventLog.class);
      app.getBean(Broker.class).publish("news", Event.of("kept")).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(((SqliteEventLog) app.getBean(EventLog.class)).file())
          .isEqualTo(dir.resolve(SqliteEventLog.FILE_NAME)).exists();
    });
  }

  @Test
  void heraldsMetersAreOnTheApplicationsRegistry() {
    context.run(app -> {
      MeterRegistry registry = new SimpleMeterRegistry();
      app.getBeansOfType(MeterBinder.class).values().forEach(b -> b.bindTo(registry));
      app.getBean(Broker.class).publish("news", Event.of("hello")).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(registry.get("herald.events.published").functionCounter().count()).isEqualTo(1.0);
      assertThat(registry.get("herald.connections").gauge().value()).isZero();
      assertThat(registry.find("herald.events.delivered").functionCounter()).isNotNull();
      assertThat(registry.find("herald.slow.consumers.closed").functionCounter()).isNotNull();
    });
  }

  @Test
  void theHealthIndicatorIsUpWithTheBrokersCounters() {
    context.run(app -> {
      var health = app.getBean("heraldHealthIndicator", HealthIndicator.class).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("store", "memory").containsKey("connections");
    });
  }

  @Test
  void byDefaultEveryTopicIsPublic() {
    context.run(app -> app.getBean(SubscribeAuthorizer.class)
        .authorize(request(), Subscription.of("news"), null));
  }

  @Test
  void anAuthenticatedTopicNeedsAnAuthenticatedSpringSecurityPrincipal() {
    context.withPropertyValues("herald.authenticated-topics=private/*").run(app -> {
      SubscribeAuthorizer authorizer = app.getBean(SubscribeAuthorizer.class);
      var user = UsernamePasswordAuthenticationToken.authenticated("ada", null, AuthorityUtils.NO_AUTHORITIES);
      var anonymous = new AnonymousAuthenticationToken("key", "anonymousUser",
          AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
      Subscription protectedTopic = Subscription.of("private/ada");
      authorizer.authorize(request(), Subscription.of("news"), null);
      authorizer.authorize(request(), protectedTopic, user);
      assertThatThrownBy(() -> authorizer.authorize(request(), protectedTopic, null))
          .isInstanceOf(StreamRefusedException.class)
          .satisfies(e -> assertThat(((StreamRefusedException) e).status()).isEqualTo(401));
      assertThatThrownBy(() -> authorizer.authorize(request(), protectedTopic, anonymous))
          .isInstanceOf(StreamRefusedException.class);
      Subscription pattern = new Subscription(Set.of(), List.of(TopicPattern.glob("*")));
      assertThatThrownBy(() -> authorizer.authorize(request(), pattern, anonymous))
          .as("a pattern could reach a protected topic").isInstanceOf(StreamRefusedException.class);
      authorizer.authorize(request(), pattern, user);
    });
  }

  @Test
  void anApplicationsAuthorizerReplacesTheDefault() {
    SubscribeAuthorizer own = (request, subscription, principal) -> {
      throw new SecurityException("nobody");
    };
    context.withBean(SubscribeAuthorizer.class, () -> own)
        .run(app -> assertThat(app.getBean(SubscribeAuthorizer.class)).isSameAs(own));
  }

  private static StreamRequest request() {
    return new StreamRequest("/events", Map.of(), Map.of(), Optional.empty(), "127.0.0.1");
  }
}
