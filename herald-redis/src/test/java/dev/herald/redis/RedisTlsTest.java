package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} with a password: one TLS-only redis-server ({@code --port 0 --tls-port},
 * {@code --requirepass}) whose certificate a throwaway CA signed for 127.0.0.1.
 */
class RedisTlsTest {
  private static final String PASSWORD = "s3cret-pass";

  @TempDir static Path dir;
  static TestCertificates certificates;
  static RedisProcess redis;

  @BeforeAll
  static void startRedis() throws Exception {
    certificates = TestCertificates.create(Files.createDirectory(dir.resolve("certs")));
    redis = RedisProcess.startTls(Files.createDirectory(dir.resolve("redis")), certificates.serverTls(), PASSWORD);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) redis.close();
  }

  private static RedisEventLog.Settings settings(String key) {
    return RedisEventLog.Settings.defaults().withStreamKey(key);
  }

  private static CompletionStage<StoredEvent> publish(RedisEventLog log, String data) {
    return log.append(List.of("t"), Event.of(data), false);
  }

  private static StoredEvent publishNow(RedisEventLog log, String data) throws Exception {
    return publish(log, data).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aLogTrustingTheCaThroughTheJvmTrustStoreAppendsAndReplaysOverTlsWithAPassword() throws Exception {
    // RedisEventLog takes Lettuce's default SslOptions: the JVM's trust store, and the host name
    // checked against the certificate (verifyPeer=FULL, the default for rediss://).
    assertThat(redis.uri()).isEqualTo("rediss://:" + PASSWORD + "@127.0.0.1:" + redis.port());
    JvmTrustStore trusted = JvmTrustStore.set(certificates.trustStore(), TestCertificates.TRUST_STORE_PASSWORD);
    try (RedisEventLog log = RedisEventLog.connect(redis.uri(), settings("tls"))) {
      TailRecorder tail = TailRecorder.on(log);
      await().atMost(Duration.ofSeconds(30)).until(log::ready);

      List<String> ids = new ArrayList<>();
      for (String data : List.of("one", "two", "three")) ids.add(publishNow(log, data).id());

      assertThat(tail.ids()).isEqualTo(ids);
      List<StoredEvent> all = log.readAfter(EventLog.EARLIEST).toCompletableFuture().get(10, TimeUnit.SECONDS).events();
      assertThat(all).extracting(e -> e.event().data()).containsExactly("one", "two", "three");
      assertThat(log.readAfter(ids.get(0)).toCompletableFuture().get(10, TimeUnit.SECONDS).events())
          .extracting(StoredEvent::id).containsExactly(ids.get(1), ids.get(2));
    } finally {
      trusted.restore();
    }
  }

  @Test
  void verifyPeerNoneEncryptsWithoutCheckingTheCertificate() throws Exception {
    try (RedisEventLog log = RedisEventLog.connect(redis.uri() + "?verifyPeer=NONE", settings("tls-none"))) {
      await().atMost(Duration.ofSeconds(30)).until(log::ready);
      assertThat(publishNow(log, "unverified").event().data()).isEqualTo("unverified");
    }
  }

  @Test
  void aCertificateTheJvmDoesNotTrustLeavesTheLogNotReadyAndPublishesFailFastNamingRedis() throws Exception {
    try (RedisEventLog log = RedisEventLog.connect(redis.uri(), settings("tls-untrusted"))) {
      assertRefused(log);
    }
  }

  @Test
  void aWrongOrMissingPasswordLeavesTheLogNotReadyAndPublishesFailFastNamingRedis() throws Exception {
    String wrong = "rediss://:wrong@127.0.0.1:" + redis.port() + "?verifyPeer=NONE";
    String none = "rediss://127.0.0.1:" + redis.port() + "?verifyPeer=NONE";
    try (RedisEventLog wrongPassword = RedisEventLog.connect(wrong, settings("tls-wrong"));
        RedisEventLog noPassword = RedisEventLog.connect(none, settings("tls-none"))) {
      assertRefused(wrongPassword);
      assertRefused(noPassword);
    }
  }

  @Test
  void aRefusedPasswordIsNamedInThePublishError() {
    String wrong = "rediss://:wrong@127.0.0.1:" + redis.port() + "?verifyPeer=NONE";
    try (RedisEventLog log = RedisEventLog.connect(wrong, settings("tls-why"))) {
      // The log learns why once its reader has tried to connect: the message says so from then on.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(publish(log, "refused").toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
              .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
              .withMessageContaining("Redis is unavailable at 127.0.0.1:" + redis.port())
              .withMessageContaining("WRONGPASS"));
    }
  }

  /** Not ready for a while, and a publish and a replay fail at once, naming Redis and where it is. */
  private static void assertRefused(RedisEventLog log) {
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> !log.ready());
    String message = "Redis is unavailable at 127.0.0.1:" + redis.port();
    assertThat(publish(log, "refused").toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
        .withMessageContaining(message);
    assertThat(log.readAfter(EventLog.EARLIEST).toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
        .withMessageContaining(message);
  }

  /**
   * The JVM-wide trust store ({@code javax.net.ssl.trustStore}), set for one test and restored
   * after it. The JDK reads these properties each time a default TrustManagerFactory is initialised,
   * which Lettuce does for every TLS connection; tests in this module run one at a time.
   */
  private static final class JvmTrustStore {
    private static final List<String> KEYS =
        List.of("javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType");
    private final Map<String, String> previous = new HashMap<>();

    static JvmTrustStore set(Path store, String password) {
      JvmTrustStore t = new JvmTrustStore();
      for (String key : KEYS) t.previous.put(key, System.getProperty(key));
      System.setProperty("javax.net.ssl.trustStore", store.toString());
      System.setProperty("javax.net.ssl.trustStorePassword", password);
      System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
      return t;
    }

    void restore() {
      previous.forEach((key, value) -> {
        if (value == null) {
          System.clearProperty(key);
        } else {
          System.setProperty(key, value);
        }
      });
    }
  }
}
