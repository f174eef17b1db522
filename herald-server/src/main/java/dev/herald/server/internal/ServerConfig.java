package dev.herald.server.internal;

import dev.herald.server.CorsPolicy;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.StreamHandler;
import dev.herald.server.TopicSelector;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The server's settings, validated by the public builder. */
public record ServerConfig(
    String bindAddress,
    int port,
    String streamPath,
    CorsPolicy cors,
    Duration retryHint,
    int outboundBufferLimitBytes,
    int maxTopicsPerConnection,
    TopicSelector topicSelector,
    Map<String, StreamHandler> routes,
    SslContext sslContext,
    boolean h2c,
    Duration requestTimeout,
    Map<String, HttpEndpoint> endpoints,
    HttpEndpoint fallbackEndpoint,
    Map<String, String> streamHeaders,
    int maxRequestBodyBytes,
    Map<String, TopicSelector> extraStreams,
    HttpLimits limits,
    List<String> resumeHeaders) {

  public ServerConfig {
    routes = Map.copyOf(routes);
    endpoints = Map.copyOf(endpoints);
    streamHeaders = Map.copyOf(streamHeaders);
    extraStreams = Map.copyOf(extraStreams);
    resumeHeaders = List.copyOf(resumeHeaders);
  }
}
