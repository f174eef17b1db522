package dev.herald.spring.internal;

import dev.herald.server.EventLog;
import dev.herald.spring.HeraldProperties;
import dev.herald.sqlite.SqliteEventLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.util.ClassUtils;

/**
 * The durable SQLite history. herald-sqlite is optional: {@link #open} checks for it before
 * anything touches its classes, which live in {@link Opener} so that loading this class never
 * needs them.
 */
public final class SqliteStore {
  private static final String LOG_CLASS = "dev.herald.sqlite.SqliteEventLog";

  private SqliteStore() {}

  /**
   * The store in {@code herald.sqlite.directory}, with its limits.
   *
   * @param classLoader the application's: herald-sqlite must be on its class path
   * @throws IllegalStateException naming the artifact to add when herald-sqlite is absent
   */
  public static EventLog open(HeraldProperties.Sqlite sqlite, ClassLoader classLoader) {
    if (!ClassUtils.isPresent(LOG_CLASS, classLoader)) {
      throw new IllegalStateException("herald.store=sqlite needs dev.herald:herald-sqlite on the class path: add it"
          + " beside herald-spring-boot-starter (herald-bom gives its version)");
    }
    return Opener.open(sqlite);
  }

  /** The only code that names herald-sqlite's classes. */
  private static final class Opener {
    static EventLog open(HeraldProperties.Sqlite sqlite) {
      try {
        return SqliteEventLog.open(sqlite.getDirectory(), sqlite.getMaxEvents(), sqlite.getMaxAge());
      } catch (IOException e) {
        throw new UncheckedIOException("herald.store=sqlite: " + e.getMessage(), e);
      }
    }
  }
}
