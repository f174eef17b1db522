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

  /** A log on this Redis, ready (Redis answered), closed after the test. */
  RedisEventLog connect(RedisEventLog.Settings settings) {
    RedisEventLog log = closedAfterTest(RedisEventLog.connect(redis.uri(), settings));
    await().atMost(Duration.ofSeconds(10)).until(log::ready);
    return log;
  }

  /** Closes {@code log} (on any Redis) after the test. */
  RedisEventLog closedAfterTest(RedisEventLog log) {
    open.add(log);
    return log;
  }
}
