package dev.herald.spring;

import dev.herald.server.HeraldServer;
import dev.herald.server.InMemoryEventLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Herald's settings in a Spring Boot application, under {@code herald.*}. Every default is the
 * embeddable server's.
 */
@ConfigurationProperties("herald")
public class HeraldProperties {
  /**
   * Where the history is kept: in memory (the default), durably in one SQLite file (needs
   * dev.herald:herald-sqlite), or on a Redis stream every node shares (needs dev.herald:herald-redis).
   */
  public enum Store { MEMORY, SQLITE, REDIS }

  /** Where the history is kept. Setting herald.redis.uri alone selects REDIS. */
  private Store store;

  /** The path of the topic stream endpoint, on the application's own port. */
  private String path = HeraldServer.DEFAULT_STREAM_PATH;

  /** How often a quiet stream gets a heartbeat comment. */
  private Duration heartbeatInterval = HeraldServer.DEFAULT_HEARTBEAT_INTERVAL;

  /** The reconnection delay sent first on every stream, and when streams end at shutdown. */
  private Duration retryHint = HeraldServer.DEFAULT_RETRY_HINT;

  /** Bytes one stream may have waiting for its client; a client further behind is cut off. */
  private int outboundBufferLimitBytes = HeraldServer.DEFAULT_OUTBOUND_BUFFER_LIMIT_BYTES;

  /** Topics plus patterns one stream may follow; more is a 400. */
  private int maxTopicsPerConnection = HeraldServer.DEFAULT_MAX_TOPICS_PER_CONNECTION;

  /**
   * Topics (globs, as in ?pattern=) that only an authenticated principal may follow; the default
   * SubscribeAuthorizer answers others with 401. Empty: every topic is public.
   */
  private List<String> authenticatedTopics = new ArrayList<>();

  private final Memory memory = new Memory();
  private final Redis redis = new Redis();
  private final Sqlite sqlite = new Sqlite();
  private final Tomcat tomcat = new Tomcat();

  public Store getStore() {
    return store;
  }

  public void setStore(Store store) {
    this.store = store;
  }

  /** The store in use: {@link #getStore()} if set, else REDIS if a Redis URI is, else MEMORY. */
  public Store effectiveStore() {
    if (store != null) return store;
    return redis.uri != null && !redis.uri.isBlank() ? Store.REDIS : Store.MEMORY;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public void setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = heartbeatInterval;
  }

  public Duration getRetryHint() {
    return retryHint;
  }

  public void setRetryHint(Duration retryHint) {
    this.retryHint = retryHint;
  }

  public int getOutboundBufferLimitBytes() {
    return outboundBufferLimitBytes;
  }

  public void setOutboundBufferLimitBytes(int outboundBufferLimitBytes) {
    this.outboundBufferLimitBytes = outboundBufferLimitBytes;
  }

  public int getMaxTopicsPerConnection() {
    return maxTopicsPerConnection;
  }

  public void setMaxTopicsPerConnection(int maxTopicsPerConnection) {
    this.maxTopicsPerConnection = maxTopicsPerConnection;
  }

  public List<String> getAuthenticatedTopics() {
    return authenticatedTopics;
  }

  public void setAuthenticatedTopics(List<String> authenticatedTopics) {
    this.authenticatedTopics = authenticatedTopics;
  }

  public Tomcat getTomcat() {
    return tomcat;
  }

  public Memory getMemory() {
    return memory;
  }

  public Redis getRedis() {
    return redis;
  }

  public Sqlite getSqlite() {
    return sqlite;
  }

  /** The in-memory history (herald.store=memory). */
  public static class Memory {
    /** Events kept for replay. */
    private int maxEvents = InMemoryEventLog.DEFAULT_MAX_EVENTS;

    /** Bytes of events kept for replay. */
    private long maxBytes = InMemoryEventLog.DEFAULT_MAX_BYTES;

    /** How long an event is kept for replay. */
    private Duration maxAge = InMemoryEventLog.DEFAULT_MAX_AGE;

    public int getMaxEvents() {
      return maxEvents;
    }

    public void setMaxEvents(int maxEvents) {
      this.maxEvents = maxEvents;
    }

    public long getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }
  }

  /** The cluster history on a Redis stream (herald.store=redis; needs dev.herald:herald-redis). */
  public static class Redis {
    /** redis://, rediss:// or redis-sentinel:// URI of the Redis every node shares. */
    private String uri;

    /** Events kept in the stream. */
    private long maxEvents = 100_000;

    /** How long an event is kept in the stream. */
    private Duration maxAge = Duration.ofHours(24);

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public long getMaxEvents() {
      return maxEvents;
    }

    public void setMaxEvents(long maxEvents) {
      this.maxEvents = maxEvents;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }
  }

  /** The durable history in one SQLite file (herald.store=sqlite; needs dev.herald:herald-sqlite). */
  public static class Sqlite {
    /**
     * The directory of the store: it holds herald-events.db, and one application at a time may
     * have it open. Relative to the working directory.
     */
    private Path directory = Path.of("data");

    /** Events kept for replay. */
    private int maxEvents = 100_000;

    /** How long an event is kept for replay. */
    private Duration maxAge = Duration.ofHours(24);

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    public int getMaxEvents() {
      return maxEvents;
    }

    public void setMaxEvents(int maxEvents) {
      this.maxEvents = maxEvents;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }
  }

  /**
   * Tomcat's per-connection buffers, for an application on Spring MVC holding many idle streams: an
   * idle stream keeps its connection's buffers for as long as it is open. Each setting applies to
   * every connection of the server, the application's own requests too; unset (the default), Tomcat
   * keeps its own (8 KiB each).
   */
  public static class Tomcat {
    /**
     * Tomcat's socket read and write buffers (socket.appReadBufSize and socket.appWriteBufSize),
     * three of which each connection keeps (the request head's buffer is its header limit plus one);
     * smaller means more reads and writes for large bodies. At least 512.
     */
    private Integer socketBufferBytes;

    /**
     * Tomcat's maxTrailerSize: each connection keeps a buffer of this size for chunked request
     * trailers, and a request whose trailers are larger is refused (400). At least 256.
     */
    private Integer maxTrailerBytes;

    public Integer getSocketBufferBytes() {
      return socketBufferBytes;
    }

    public void setSocketBufferBytes(Integer socketBufferBytes) {
      this.socketBufferBytes = atLeast("herald.tomcat.socket-buffer-bytes", 512, socketBufferBytes);
    }

    public Integer getMaxTrailerBytes() {
      return maxTrailerBytes;
    }

    public void setMaxTrailerBytes(Integer maxTrailerBytes) {
      this.maxTrailerBytes = atLeast("herald.tomcat.max-trailer-bytes", 256, maxTrailerBytes);
    }

    private static Integer atLeast(String property, int min, Integer value) {
      if (value != null && value < min) {
        throw new IllegalArgumentException(property + " must be at least " + min + ": " + value);
      }
      return value;
    }
  }
}
