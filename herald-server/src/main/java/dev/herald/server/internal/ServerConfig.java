package dev.herald.server.internal;

import dev.herald.server.CorsPolicy;
import dev.herald.server.StreamHandler;
import dev.herald.server.TopicSelector;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Map;

/** The server's settings, validated by the public builder. */
public record ServerConfig(
    String bindAddress,
    int port,
    String streamPath,
    CorsPolicy cors,
    Duration heartbeatInterval,
    Duration retryHint,
    int outboundBufferLimitBytes,
    int maxTopicsPerConnection,
    TopicSelector topicSelector,
    Map<String, StreamHandler> routes,
    SslContext sslContext,
    boolean h2c,
    int ioThreads,
    Duration requestTimeout) {

  public ServerConfig {
    routes = Map.copyOf(routes);
  }
}
