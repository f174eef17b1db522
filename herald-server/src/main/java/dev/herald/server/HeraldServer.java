package dev.herald.server;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.herald.protocol.Event;
import dev.herald.server.internal.HttpLimits;
import dev.herald.server.internal.RealBroker;
import dev.herald.server.internal.ServerConfig;
import dev.herald.server.internal.ServerInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable Server-Sent Events server: browsers connect with {@code new EventSource(url)},
 * and {@link #broker()}{@code .publish(topic, event)} reaches every subscriber of the topic.
 *
 * <pre>{@code
 * try (HeraldServer server = HeraldServer.builder().port(8080).build().start()) {
 *   server.broker().publish("news", Event.named("headline", "{\"title\":\"Hello\"}"));
 * }
 * // browser: new EventSource('http://localhost:8080/events?topic=news')
 * //            .addEventListener('headline', e => console.log(e.data, e.lastEventId))
 * }</pre>
 *
 * <p>Subscribers resume with {@code Last-Event-ID} (or {@code ?lastEventID=}) from the
 * {@link EventLog}. Each connection has a bounded outbound buffer: a subscriber that falls behind
 * by more than {@link Builder#outboundBufferLimitBytes} is closed, and catches up from the history
 * when its {@code EventSource} reconnects. HTTP/1.1 always; HTTP/2 over TLS (ALPN) when
 * {@linkplain Builder#tls TLS} is set, and h2c with prior knowledge on cleartext.
 */
public final class HeraldServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeraldServer.class);

  /** Default path of the topic stream endpoint. */
  public static final String DEFAULT_STREAM_PATH = "/events";
  /** Default interval between heartbeat comments on an otherwise quiet connection. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Broker.Builder.DEFAULT_HEARTBEAT_INTERVAL;
  /** Default reconnection delay sent to clients in the first frame. */
  public static final Duration DEFAULT_RETRY_HINT = Broker.Builder.DEFAULT_RETRY_HINT;
  /** Default bytes a connection may have waiting to be sent before it is closed as too slow. */
  public static final int DEFAULT_OUTBOUND_BUFFER_LIMIT_BYTES = 1024 * 1024;
  /** Default number of topics and patterns one connection may follow. */
  public static final int DEFAULT_MAX_TOPICS_PER_CONNECTION = 100;
  /** Default largest request body accepted by endpoints (larger is a 413). */
  public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;
  /** Default bytes of events waiting for fan-out before publishes are refused. */
  public static final long DEFAULT_MAX_QUEUED_FANOUT_BYTES = Broker.Builder.DEFAULT_MAX_QUEUED_FANOUT_BYTES;
  /** Default time a connection may stay silent while it has no request in progress. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Default longest time from the first byte of a request to its last (a {@code 408} after it). */
  public static final Duration DEFAULT_REQUEST_DEADLINE = Duration.ofSeconds(30);
  /**
   * Heap the default connection limit sets aside for each connection: by default a server holds at
   * most the JVM's maximum heap divided by this many connections (32,768 in 256 MiB), so too many
   * connections meet a clear {@code 503}, not an {@code OutOfMemoryError}. An idle stream holds
   * about 2 KiB; the rest is room for the history, replay pages and bursts of events.
   */
  public static final int HEAP_BYTES_PER_CONNECTION = 8 * 1024;
  /**
   * File descriptors the default connection limit leaves to the rest of the process (logs, stores,
   * jars): by default connections take at most the process's file-descriptor limit less these.
   */
  public static final int FILE_DESCRIPTORS_KEPT = 256;
  /** Default share of {@code maxConnections}, in percent, that event streams may not take: plain requests keep it. */
  public static final int DEFAULT_PLAIN_RESERVE_PERCENT = 10;
  /**
   * Default connections one client address may hold that are not event streams (waiting for or
   * sending a request, or idle between requests). Streams are not counted here.
   */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 128;

  /**
   * Default connections one client address may open at once that are in their first two seconds
   * and not yet streams: a burst of subscribers reconnecting through one proxy or NAT fits.
   */
  public static final int DEFAULT_MAX_NEW_CONNECTIONS_PER_ADDRESS = 1024;

  /** How long a new connection has to send a request and become a stream before it counts as held. */
  public static final Duration DEFAULT_CONNECTION_GRACE = Duration.ofSeconds(2);

  private final ServerConfig config;
  private final EventLoopGroup bossGroup;
  private final Class<? extends ServerChannel> channelClass;
  private final RealBroker broker;
  private final ChannelGroup connections = new DefaultChannelGroup("herald-connections", GlobalEventExecutor.INSTANCE);
  private volatile Channel serverChannel;
  private volatile boolean closed;

  private HeraldServer(ServerConfig config, RealBroker broker) {
    this.config = config;
    this.broker = broker;
    // The broker's loops, which serve the connections, chose epoll or NIO the same way.
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herald-accept", true), io);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving; returns this server. */
  public HeraldServer start() {
    if (closed) throw new IllegalStateException("server closed");
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, broker.loops())
        .channel(channelClass)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
            config.outboundBufferLimitBytes() / 2, config.outboundBufferLimitBytes()))
        .childHandler(new ServerInitializer(broker, config, connections));
    try {
      serverChannel = bootstrap.bind(new InetSocketAddress(config.bindAddress(), config.port())).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding", e);
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot bind " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    LOG.info("Herald serving {} on {}:{} ({}{})", config.streamPath(), config.bindAddress(), port(),
        config.sslContext() != null ? "TLS, h2 and http/1.1" : "http/1.1",
        config.sslContext() == null && config.h2c() ? " and h2c" : "");
    return this;
  }

  /** The bound port (useful with port 0); -1 before {@link #start()}. */
  public int port() {
    Channel ch = serverChannel;
    return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
  }

  /** Publishes to topics; available before {@link #start()} too. */
  public Broker broker() {
    return broker;
  }

  /** The history behind the broker. */
  public EventLog eventLog() {
    return broker.log();
  }

  /**
   * Stops accepting, tells every subscriber to come back after the retry hint, ends every stream
   * cleanly, then closes the broker (which releases every buffer, closes the log and stops the
   * event loops).
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    Channel ch = serverChannel;
    if (ch != null) ch.close().syncUninterruptibly();
    try {
      broker.endAll(Event.retry(config.retryHint())).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("streams did not all end in time", e);
    }
    // Through each pipeline, so HTTP/2 connections say GOAWAY and TLS says close_notify.
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    broker.close();
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    LOG.info("Herald stopped");
  }

  /** Configures a {@link HeraldServer}; every setting has a documented default. */
  public static final class Builder {
    private String bindAddress = "0.0.0.0";
    private int port = 8080;
    private String streamPath = DEFAULT_STREAM_PATH;
    private CorsPolicy cors = CorsPolicy.sameOrigin();
    private Duration retryHint = DEFAULT_RETRY_HINT;
    private int outboundBufferLimitBytes = DEFAULT_OUTBOUND_BUFFER_LIMIT_BYTES;
    private int maxTopicsPerConnection = DEFAULT_MAX_TOPICS_PER_CONNECTION;
    private TopicSelector topicSelector = TopicSelector.QUERY;
    private final Map<String, StreamHandler> routes = new LinkedHashMap<>();
    private Path tlsCert;
    private Path tlsKey;
    private boolean h2c = true;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private final Map<String, HttpEndpoint> endpoints = new LinkedHashMap<>();
    private HttpEndpoint fallbackEndpoint;
    private final Map<String, String> streamHeaders = new LinkedHashMap<>();
    private int maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES;
    private final List<String> resumeHeaders = new ArrayList<>();
    private final Map<String, TopicSelector> extraStreams = new LinkedHashMap<>();
    private Broker broker;
    // The broker's settings, for the broker this builder makes when given none; null: not set.
    private EventLog eventLog;
    private Duration heartbeatInterval;
    private Integer ioThreads;
    private Long maxQueuedFanoutBytes;
    private Duration requestDeadline = DEFAULT_REQUEST_DEADLINE;
    private int maxConnections; // 0: the default, bounded by the file-descriptor limit
    private int maxStreams; // 0: maxConnections less the plain reserve
    private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    private int maxNewConnectionsPerAddress = DEFAULT_MAX_NEW_CONNECTIONS_PER_ADDRESS;
    private Duration connectionGrace = DEFAULT_CONNECTION_GRACE;

    /**
     * Longest time from the first byte of a request (line, headers and body) to its last, however
     * steadily it trickles in; a request still incomplete then is answered {@code 408} and its
     * connection closed. Default 30 s.
     */
    public Builder requestDeadline(Duration deadline) {
      this.requestDeadline = positive("requestDeadline", deadline);
      return this;
    }

    /**
     * Connections open at once; above it a new connection is answered {@code 503} with
     * {@code Retry-After} and closed. Default: what the process can hold, the lower of its
     * file-descriptor limit less {@value HeraldServer#FILE_DESCRIPTORS_KEPT} and its maximum heap
     * over {@value HeraldServer#HEAP_BYTES_PER_CONNECTION} bytes.
     */
    public Builder maxConnections(int max) {
      if (max < 1) throw new IllegalArgumentException("maxConnections must be positive: " + max);
      this.maxConnections = max;
      return this;
    }

    /**
     * Event streams open at once (HTTP/2 streams included); above it a subscriber is answered
     * {@code 503} with {@code Retry-After}, while plain requests (health checks, publishes) still
     * get the connections up to {@link #maxConnections}. At most {@code maxConnections}; default
     * {@code maxConnections} less {@value HeraldServer#DEFAULT_PLAIN_RESERVE_PERCENT}%.
     */
    public Builder maxStreams(int max) {
      if (max < 1) throw new IllegalArgumentException("maxStreams must be positive: " + max);
      this.maxStreams = max;
      return this;
    }

    /**
     * Connections one client address may hold that are still not event streams {@link #connectionGrace} (2 s) after
     * they opened (waiting for or sending a request, or idle between requests). Above it, such a
     * connection that has not sent a whole request yet (a slowloris) is answered {@code 429} with
     * {@code Retry-After} and closed; one that has keeps its connection. Event streams never count.
     * Default {@value HeraldServer#DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}.
     */
    public Builder maxConnectionsPerAddress(int max) {
      if (max < 1) throw new IllegalArgumentException("maxConnectionsPerAddress must be positive: " + max);
      this.maxConnectionsPerAddress = max;
      return this;
    }

    /**
     * Connections one client address may have open at once in their first {@link #connectionGrace} (2 s),
     * before they became streams; above it a new connection from that address is answered {@code 429} at once.
     * High, so that a burst of subscribers reconnecting through one proxy or NAT is served (a
     * browser's {@code EventSource} refused with a 429 does not retry). Default
     * {@value HeraldServer#DEFAULT_MAX_NEW_CONNECTIONS_PER_ADDRESS}.
     */
    public Builder maxNewConnectionsPerAddress(int max) {
      if (max < 1) throw new IllegalArgumentException("maxNewConnectionsPerAddress must be positive: " + max);
      this.maxNewConnectionsPerAddress = max;
      return this;
    }

    /**
     * How long a connection counts as new (see {@link #maxNewConnectionsPerAddress}) before it
     * counts as held (see {@link #maxConnectionsPerAddress}): time for a client to send its request
     * and become a stream on a busy server. Default 2 s.
     */
    public Builder connectionGrace(Duration grace) {
      this.connectionGrace = positive("connectionGrace", grace);
      return this;
    }

    private HttpLimits limits() {
      int connections = maxConnections > 0 ? maxConnections : defaultMaxConnections();
      int streams = maxStreams > 0 ? maxStreams
          : Math.max(1, connections - connections * DEFAULT_PLAIN_RESERVE_PERCENT / 100);
      return new HttpLimits(requestDeadline, connections, streams, maxConnectionsPerAddress, maxNewConnectionsPerAddress,
          connectionGrace);
    }

    private static int defaultMaxConnections() {
      long fileDescriptors = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
          ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
      return defaultMaxConnections(fileDescriptors, Runtime.getRuntime().maxMemory());
    }

    /** The default connection limit of a process with these limits: see {@link #maxConnections}. */
    static int defaultMaxConnections(long fileDescriptorLimit, long maxHeapBytes) {
      long byFiles = fileDescriptorLimit - FILE_DESCRIPTORS_KEPT;
      long byHeap = maxHeapBytes / HEAP_BYTES_PER_CONNECTION;
      return (int) Math.min(Integer.MAX_VALUE, Math.max(FILE_DESCRIPTORS_KEPT, Math.min(byFiles, byHeap)));
    }

    /**
     * The broker to serve, built first with {@link Broker#builder}: its log, event loops, heartbeat
     * and fan-out bound are its own, so {@link #eventLog}, {@link #ioThreads}, {@link
     * #heartbeatInterval} and {@link #maxQueuedFanoutBytes} do not go with it. The server closes it.
     * Default: a broker this builder makes from those settings.
     */
    public Builder broker(Broker broker) {
      Objects.requireNonNull(broker, "broker");
      if (!(broker instanceof RealBroker)) {
        throw new IllegalArgumentException("the broker must come from Broker.builder(log).build()");
      }
      this.broker = broker;
      return this;
    }

    /**
     * For the broker this builder makes: bytes of events waiting for the event loops to write them
     * to subscribers; above it, publishes fail with {@link OverloadedException} instead of growing
     * memory. Default 64 MiB.
     */
    public Builder maxQueuedFanoutBytes(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("maxQueuedFanoutBytes must not be negative: " + bytes);
      this.maxQueuedFanoutBytes = bytes;
      return this;
    }

    /**
     * Serves one more topic stream at {@code path}, with its own topic selector: the same broker,
     * history and rules as the main stream path.
     */
    public Builder stream(String path, TopicSelector selector) {
      extraStreams.put(checkPath(path), Objects.requireNonNull(selector, "selector"));
      return this;
    }

    private Builder() {}

    /**
     * Serves plain requests to {@code path} with {@code endpoint}: every method on that path, or,
     * when it is also a stream path, every method but {@code GET}.
     */
    public Builder endpoint(String path, HttpEndpoint endpoint) {
      endpoints.put(checkPath(path), Objects.requireNonNull(endpoint, "endpoint"));
      return this;
    }

    /** Serves requests no stream, route or endpoint matches (static pages, say); default: 404. */
    public Builder fallbackEndpoint(HttpEndpoint endpoint) {
      this.fallbackEndpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** Adds a header to every stream response (a discovery {@code Link}, say). */
    public Builder streamHeader(String name, String value) {
      if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("header must not contain CR or LF: " + name);
      }
      streamHeaders.put(name.toLowerCase(Locale.ROOT), value);
      return this;
    }

    /**
     * Answers every resume with this header too, besides {@code Last-Event-ID}: the id the stream
     * resumes after, or {@code earliest}. Mercure's 1.0 draft names it {@code Mercure-Last-Event-ID}.
     */
    public Builder resumeHeader(String name) {
      if (name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
        throw new IllegalArgumentException("not a header name: " + name);
      }
      resumeHeaders.add(name.toLowerCase(Locale.ROOT));
      return this;
    }

    /** The largest request body an endpoint accepts; larger is a 413. Default 1 MiB. */
    public Builder maxRequestBodyBytes(int bytes) {
      if (bytes < 0) throw new IllegalArgumentException("maxRequestBodyBytes must not be negative: " + bytes);
      this.maxRequestBodyBytes = bytes;
      return this;
    }

    /** The address to listen on; {@code 0.0.0.0} by default, {@code 127.0.0.1} for loopback only. */
    public Builder bindAddress(String bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /** The port; 0 picks a free one (read it back with {@link HeraldServer#port()}). Default 8080. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
      this.port = port;
      return this;
    }

    /** The path of the topic stream endpoint, {@code /events} by default. */
    public Builder streamPath(String streamPath) {
      this.streamPath = checkPath(streamPath);
      return this;
    }

    public Builder cors(CorsPolicy cors) {
      this.cors = Objects.requireNonNull(cors, "cors");
      return this;
    }

    /** For the broker this builder makes: how often a quiet connection gets a {@code :} comment. Default 15 s. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /** The {@code retry:} hint written first on every stream and at shutdown. Default 3 s. */
    public Builder retryHint(Duration retryHint) {
      if (retryHint.isNegative()) throw new IllegalArgumentException("retryHint must not be negative");
      this.retryHint = retryHint;
      return this;
    }

    /**
     * Bytes one connection may have waiting to be sent; a subscriber above it is closed. Keep it
     * well above the largest event. Default 1 MiB.
     */
    public Builder outboundBufferLimitBytes(int bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("outboundBufferLimitBytes must be at least 1024: " + bytes);
      this.outboundBufferLimitBytes = bytes;
      return this;
    }

    /** Topics plus patterns one connection may follow; more is a 400. Default 100. */
    public Builder maxTopicsPerConnection(int max) {
      if (max < 1) throw new IllegalArgumentException("maxTopicsPerConnection must be positive: " + max);
      this.maxTopicsPerConnection = max;
      return this;
    }

    /** How a request's topics are chosen. Default {@link TopicSelector#QUERY}. */
    public Builder topicSelector(TopicSelector selector) {
      this.topicSelector = Objects.requireNonNull(selector, "topicSelector");
      return this;
    }

    /** Serves {@code path} with a stream of its own per request. */
    public Builder route(String path, StreamHandler handler) {
      routes.put(checkPath(path), Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /** Serves TLS with this PEM certificate chain and PKCS#8 PEM key; browsers then get HTTP/2. */
    public Builder tls(Path certificatePem, Path privateKeyPem) {
      this.tlsCert = Objects.requireNonNull(certificatePem, "certificatePem");
      this.tlsKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
      return this;
    }

    /** Whether cleartext connections may speak HTTP/2 with prior knowledge (h2c). Default true. */
    public Builder h2c(boolean enabled) {
      this.h2c = enabled;
      return this;
    }

    /** For the broker this builder makes: event-loop threads. Default: the number of processors. */
    public Builder ioThreads(int threads) {
      if (threads < 1) throw new IllegalArgumentException("ioThreads must be positive: " + threads);
      this.ioThreads = threads;
      return this;
    }

    /**
     * How long a connection may stay silent while no request is in progress (a new connection, or
     * one kept alive between requests); it is then closed. Default 30 s. See also
     * {@link #requestDeadline}.
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** For the broker this builder makes: the history; default {@link InMemoryEventLog#create()}. The server closes it. */
    public Builder eventLog(EventLog log) {
      this.eventLog = Objects.requireNonNull(log, "eventLog");
      return this;
    }

    public HeraldServer build() {
      if (routes.containsKey(streamPath)) {
        throw new IllegalStateException("route " + streamPath + " collides with the stream path");
      }
      checkBrokerSettings();
      SslContext ssl = tlsCert == null ? null : sslContext(tlsCert, tlsKey);
      ServerConfig config = new ServerConfig(bindAddress, port, streamPath, cors, retryHint,
          outboundBufferLimitBytes, maxTopicsPerConnection, topicSelector, routes, ssl, h2c,
          requestTimeout, endpoints, fallbackEndpoint, streamHeaders, maxRequestBodyBytes, extraStreams, limits(),
          resumeHeaders);
      return new HeraldServer(config, (RealBroker) (broker != null ? broker : ownBroker()));
    }

    private Broker ownBroker() {
      Broker.Builder b = Broker.builder(eventLog != null ? eventLog : InMemoryEventLog.create()).retryHint(retryHint);
      if (ioThreads != null) b.ioThreads(ioThreads);
      if (heartbeatInterval != null) b.heartbeatInterval(heartbeatInterval);
      if (maxQueuedFanoutBytes != null) b.maxQueuedFanoutBytes(maxQueuedFanoutBytes);
      return b.build();
    }

    private void checkBrokerSettings() {
      if (broker == null) return;
      List<String> set = new ArrayList<>();
      if (eventLog != null) set.add("eventLog");
      if (ioThreads != null) set.add("ioThreads");
      if (heartbeatInterval != null) set.add("heartbeatInterval");
      if (maxQueuedFanoutBytes != null) set.add("maxQueuedFanoutBytes");
      if (!set.isEmpty()) {
        throw new IllegalStateException(String.join(", ", set) + " belong to the broker given: set them on Broker.builder");
      }
    }

    private static SslContext sslContext(Path cert, Path key) {
      try {
        return SslContextBuilder.forServer(cert.toFile(), key.toFile())
            .sslProvider(SslProvider.JDK)
            .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
            .applicationProtocolConfig(new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
            .build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot load TLS certificate " + cert + " and key " + key + ": " + e.getMessage(), e);
      }
    }

    private static String checkPath(String path) {
      if (path == null || !path.startsWith("/")) throw new IllegalArgumentException("path must start with /: " + path);
      return path;
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
      return d;
    }
  }
}
