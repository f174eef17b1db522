package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.AsciiString;

/**
 * Builds each connection's pipeline: TLS with ALPN choosing h2 or http/1.1, or cleartext HTTP/1.1
 * that also accepts HTTP/2 with prior knowledge (h2c) for back ends.
 */
public final class ServerInitializer extends ChannelInitializer<Channel> {
  static final int MAX_INITIAL_LINE = 8192;
  static final int MAX_HEADER_BYTES = 16384;
  private static final long MAX_CONCURRENT_STREAMS = 1000;

  private final RealBroker broker;
  private final ServerConfig config;
  private final ChannelGroup connections;
  private final byte[] retryFrame;
  private final ConnectionLimiter limiter;

  /** {@code connections} collects every accepted connection, so shutdown can close them through their pipelines. */
  public ServerInitializer(RealBroker broker, ServerConfig config, ChannelGroup connections) {
    this.broker = broker;
    this.config = config;
    this.connections = connections;
    this.retryFrame = EventEncoder.encode(Event.retry(config.retryHint()));
    this.limiter = new ConnectionLimiter(config.limits());
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    ChannelPipeline p = ch.pipeline();
    ConnectionLimiter.Verdict verdict = limiter.admit(ch);
    if (verdict != ConnectionLimiter.Verdict.ADMITTED) {
      LoopFanout.LOG.debug("refusing {}: {}", ch.remoteAddress(), verdict);
      if (config.sslContext() != null) {
        ch.close(); // a refusal before the TLS handshake could not be read: just close
      } else {
        p.addLast(Refusal.of(verdict, config.limits()));
      }
      return;
    }
    p.addLast(new RequestTimer(config.requestTimeout(), config.limits().requestDeadline()));
    if (config.sslContext() != null) {
      p.addLast(config.sslContext().newHandler(ch.alloc()));
      p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
          if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            addHttp2(ctx.pipeline());
          } else {
            addHttp1(ctx.pipeline(), new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192));
          }
        }
      });
    } else if (config.h2c()) {
      HttpServerCodec codec = new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192);
      // The upgrade request may carry a body (a publish): allow what endpoints allow.
      HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol ->
          AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
              ? new Http2ServerUpgradeCodec(http2Codec(), new Http2MultiplexHandler(streamInitializer()))
              : null, config.maxRequestBodyBytes());
      p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, upgrade, new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel c) {
          addHttp2(c.pipeline());
        }
      }));
      p.addLast(new HttpObjectAggregator(config.maxRequestBodyBytes()));
      p.addLast(new RequestHandler(broker, config, retryFrame, limiter, false));
    } else {
      addHttp1(p, new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192));
    }
  }

  private void addHttp1(ChannelPipeline p, HttpServerCodec codec) {
    p.addLast(codec);
    p.addLast(new HttpObjectAggregator(config.maxRequestBodyBytes()));
    p.addLast(new RequestHandler(broker, config, retryFrame, limiter, false));
  }

  private void addHttp2(ChannelPipeline p) {
    // The connection's clocks must not end a connection whose streams are all quiet.
    if (p.get(RequestTimer.class) != null) p.remove(RequestTimer.class);
    p.addLast(http2Codec());
    p.addLast(new Http2MultiplexHandler(streamInitializer()));
  }

  private static Http2FrameCodec http2Codec() {
    return Http2FrameCodecBuilder.forServer()
        // At shutdown the streams have ended already; don't hold the connection open for long.
        .gracefulShutdownTimeoutMillis(1000)
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .maxHeaderListSize(MAX_HEADER_BYTES))
        .build();
  }

  private ChannelInitializer<Channel> streamInitializer() {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel stream) {
        stream.config().setWriteBufferWaterMark(new WriteBufferWaterMark(
            config.outboundBufferLimitBytes() / 2, config.outboundBufferLimitBytes()));
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
        stream.pipeline().addLast(new HttpObjectAggregator(config.maxRequestBodyBytes()));
        stream.pipeline().addLast(new RequestHandler(broker, config, retryFrame, limiter, true));
      }
    };
  }
}
