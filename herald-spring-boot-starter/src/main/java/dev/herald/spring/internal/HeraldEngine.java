package dev.herald.spring.internal;

import dev.herald.server.Broker;
import dev.herald.server.EventLog;
import dev.herald.server.HeraldServer;
import dev.herald.spring.HeraldProperties;

/**
 * Herald's engine in the application: the broker over the configured log, with its event loops,
 * serving no port of its own (the application's web server carries the streams). Closing it ends
 * every stream with the retry hint, then closes the log.
 */
public final class HeraldEngine implements AutoCloseable {
  private final HeraldServer server;

  public HeraldEngine(EventLog log, HeraldProperties properties) {
    // Never started: only its broker and event loops are used.
    this.server = HeraldServer.builder()
        .eventLog(log)
        .heartbeatInterval(properties.getHeartbeatInterval())
        .retryHint(properties.getRetryHint())
        .outboundBufferLimitBytes(properties.getOutboundBufferLimitBytes())
        .maxTopicsPerConnection(properties.getMaxTopicsPerConnection())
        .build();
  }

  public Broker broker() {
    return server.broker();
  }

  @Override
  public void close() {
    server.close();
  }
}
