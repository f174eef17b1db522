package dev.herald.spring.internal;

import dev.herald.redis.RedisEventLog;
import dev.herald.server.EventLog;
import dev.herald.spring.HeraldProperties;
import java.util.function.BooleanSupplier;
import org.springframework.util.ClassUtils;

/** The Redis history, in a class of its own so an application without herald-redis never loads Lettuce. */
public final class RedisStore {
  private static final String LOG_CLASS = "dev.herald.redis.RedisEventLog";

  private RedisStore() {}

  /** @param classLoader the application's: herald-redis must be on its class path */
  public static EventLog connect(HeraldProperties.Redis redis, ClassLoader classLoader) {
    if (redis.getUri() == null || redis.getUri().isBlank()) {
      throw new IllegalStateException("herald.store=redis needs herald.redis.uri (redis://host:6379)");
    }
    if (!ClassUtils.isPresent(LOG_CLASS, classLoader)) {
      throw new IllegalStateException("herald.store=redis needs dev.herald:herald-redis on the class path: add it"
          + " beside herald-spring-boot-starter (herald-bom gives its version)");
    }
    return RedisEventLog.connect(redis.getUri(), RedisEventLog.Settings.defaults()
        .withMaxEvents(redis.getMaxEvents())
        .withMaxAge(redis.getMaxAge()));
  }

  /** Whether {@code log} can take publishes: a Redis log while Redis answers, any other always. */
  public static BooleanSupplier readiness(EventLog log) {
    if (!present() || !(log instanceof RedisEventLog redis)) return () -> true;
    return redis::ready;
  }

  private static boolean present() {
    try {
      Class.forName(LOG_CLASS, false, RedisStore.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
