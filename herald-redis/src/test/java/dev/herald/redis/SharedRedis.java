package dev.herald.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One redis-server (AOF, {@code appendfsync no}) for a test class, started before its first test
 * and ended after its last, and the logs each test opens, closed after it. Register it as a static
 * {@code @RegisterExtension} field.
 */
final class SharedRedis implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
  /**
   * The command timeout of the logs {@link #connect} opens, unless a test sets its own: the 2 s
   * default is for production, where a command that slow is a failure; on a loaded test machine
   * (two builds on two cores) a page of XRANGE can take longer, and a test must not fail for it.
   */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisEventLog> open = new ArrayList<>();
  private Path dir;
  private RedisProcess redis;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("herald-redis-");
    redis = RedisProcess.startFast(dir);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    open.forEach(RedisEventLog::close);
    open.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    redis.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  String uri() {
    return redis.uri();
  }

  /**
   * A log on this Redis, ready (Redis answered), closed after the test; with {@link #COMMAND_TIMEOUT}
   * when {@code settings} keep the default command timeout.
   */
  RedisEventLog connect(RedisEventLog.Settings settings) {
    if (settings.commandTimeout().equals(RedisEventLog.Settings.DEFAULT_COMMAND_TIMEOUT)) {
      settings = settings.withCommandTimeout(COMMAND_TIMEOUT);
    }
    RedisEventLog log = closedAfterTest(RedisEventLog.connect(redis.uri(), settings));
    await().atMost(Duration.ofSeconds(30)).until(log::ready);
    return log;
  }

  /** Closes {@code log} (on any Redis) after the test. */
  RedisEventLog closedAfterTest(RedisEventLog log) {
    open.add(log);
    return log;
  }
}
