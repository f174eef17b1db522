package dev.herald.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A stream on a Netty channel: an HTTP/1.1 connection, whose frames go out as the pre-framed
 * chunks of {@link Frames}, or an HTTP/2 stream, which writes their middle as DATA frames. The
 * channel's write-buffer high-water mark is the outbound limit.
 */
final class NettyTransport implements Transport {
  private static final List<Class<? extends ChannelHandler>> HTTP1_HANDLERS = List.of(
      CleartextHttp2ServerUpgradeHandler.class,
      HttpServerUpgradeHandler.class,
      HttpObjectAggregator.class,
      HttpServerCodec.class);

  private final Channel channel;
  private final boolean h2;
  private final ServerConfig config;
  private final boolean http10;
  private final String allowedOrigin; // a cross-origin request's allowed origin, else null
  private final Runnable started; // HTTP/1: told once the response head is written

  NettyTransport(Channel channel, boolean h2, boolean http10, ServerConfig config, String allowedOrigin,
      Runnable started) {
    this.channel = channel;
    this.h2 = h2;
    this.http10 = http10;
    this.config = config;
    this.allowedOrigin = allowedOrigin;
    this.started = started;
  }

  @Override
  public void start(String lastEventId) {
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    h.set("x-accel-buffering", "no");
    config.streamHeaders().forEach(h::set);
    if (lastEventId != null) {
      // UTF-8 bytes, as the request header is read: Netty writes each char of a value as one byte.
      String value = new String(lastEventId.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      h.set("last-event-id", value);
      for (String name : config.resumeHeaders()) h.set(name, value);
    }
    if (allowedOrigin != null) {
      Cors.addAllowHeaders(h, config.cors(), allowedOrigin);
      // A cross-origin reader of the stream (fetch, not EventSource) sees only the headers listed.
      h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, Cors.exposedStreamHeaders(config));
    }
    if (h2) {
      channel.write(res);
      return;
    }
    // HTTP/1.0 knows no chunks: its body runs until the connection closes.
    if (!http10) HttpUtil.setTransferEncodingChunked(res, true);
    // The connection ends with the stream: a client must not pool it for another request.
    h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    channel.write(res);
    // From here on the body goes out as pre-framed chunks, shared by all subscribers, and nothing
    // more is read: the HTTP machinery leaves the pipeline, so each write and flush goes straight
    // to the socket and an idle stream holds about 1 KB less.
    ChannelPipeline pipeline = channel.pipeline();
    for (Class<? extends ChannelHandler> type : HTTP1_HANDLERS) {
      ChannelHandler handler = pipeline.get(type);
      if (handler != null) pipeline.remove(handler);
    }
    if (http10) pipeline.addLast(new UnchunkedBody());
    started.run();
  }

  @Override
  public void historyUnavailable(String message) {
    FullHttpResponse res = RequestHandler.text(HttpResponseStatus.SERVICE_UNAVAILABLE, message);
    res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    if (allowedOrigin != null) Cors.addAllowHeaders(res.headers(), config.cors(), allowedOrigin);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    if (!h2) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    channel.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void write(Pending live) {
    writeChunk(live.chunk().retainedDuplicate(), live.payloadOffset(), channel.voidPromise());
  }

  @Override
  public void write(byte[] frame, CompletableFuture<Void> written) {
    ChannelPromise promise = channel.voidPromise();
    if (written != null) {
      promise = channel.newPromise();
      promise.addListener(f -> {
        if (f.isSuccess()) {
          written.complete(null);
        } else {
          written.completeExceptionally(f.cause());
        }
      });
    }
    ByteBuf chunk = Frames.chunk(channel.alloc(), frame);
    writeChunk(chunk, Frames.payloadOffset(chunk), promise);
  }

  @Override
  public void writeHeartbeat() {
    writeChunk(Frames.HEARTBEAT.duplicate(), 3, channel.voidPromise());
  }

  private void writeChunk(ByteBuf chunk, int payloadOffset, ChannelPromise promise) {
    if (h2) {
      // Same bytes, minus the HTTP/1.1 chunk framing: a duplicate has its own indexes.
      chunk.setIndex(chunk.readerIndex() + payloadOffset, chunk.writerIndex() - 2);
      channel.write(new DefaultHttp2DataFrame(chunk), promise);
    } else {
      channel.write(chunk, promise);
    }
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public long pendingBytes() {
    // Bytes written but not yet accepted by the socket (or the HTTP/2 stream's window).
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out != null ? out.totalPendingWriteBytes() : config.outboundBufferLimitBytes() + channel.bytesBeforeWritable();
  }

  @Override
  public long outboundLimitBytes() {
    return config.outboundBufferLimitBytes();
  }

  @Override
  public void end() {
    if (h2) {
      channel.write(new DefaultHttp2DataFrame(true));
    } else {
      channel.write(Frames.LAST_CHUNK.duplicate());
    }
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void close() {
    channel.close();
  }
}
