package dev.herald.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.unix.IovArray;
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
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A stream on a Netty channel: an HTTP/1.1 connection, whose frames go out as the pre-framed
 * chunks of {@link Frames}, or an HTTP/2 stream, which writes their middle as DATA frames. The
 * channel's write-buffer high-water mark is the outbound limit.
 *
 * <p>Live events to a subscriber that keeps up skip Netty's outbound buffer: on a plain HTTP/1.1
 * epoll connection with nothing queued, they are staged here and written at the flush in one
 * {@code writev} of the shared chunks. A fan-out writes each event to every subscriber, so the
 * per-write bookkeeping it saves (a derived buffer, an outbound entry, a walk of the pipeline, the
 * pending-bytes accounting and the flush through the pipeline) is paid thousands of times per event.
 * Whatever the socket does not take goes to the outbound buffer as before, and from then on every
 * write does too until it has drained, so order, back-pressure and the outbound limit are Netty's.
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
  private boolean direct; // staging allowed: plain HTTP/1.1 on epoll, nothing outbound in the pipeline
  private boolean unflushed; // something went through channel.write since the last channel.flush
  private ByteBuf[] staged; // live chunks for the next flush (a reference each), made at the first
  private int stagedCount;
  private int stagedBytes;

  /** At most this many chunks, or bytes, are staged; past either, writes take Netty's way. */
  static final int MAX_STAGED = 64;
  static final int MAX_STAGED_BYTES = 64 * 1024;

  // One iovec array per event loop thread, as Netty's epoll transport keeps one for its writev.
  private static final FastThreadLocal<IovArray> IOV = new FastThreadLocal<>() {
    @Override
    protected IovArray initialValue() {
      return new IovArray();
    }

    @Override
    protected void onRemoval(IovArray iov) {
      iov.release();
    }
  };

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
      channelWrite(res, channel.voidPromise());
      return;
    }
    // HTTP/1.0 knows no chunks: its body runs until the connection closes.
    if (!http10) HttpUtil.setTransferEncodingChunked(res, true);
    // The connection ends with the stream: a client must not pool it for another request.
    h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    channelWrite(res, channel.voidPromise());
    // From here on the body goes out as pre-framed chunks, shared by all subscribers, and nothing
    // more is read: the HTTP machinery leaves the pipeline, so each write and flush goes straight
    // to the socket and an idle stream holds about 1 KB less.
    ChannelPipeline pipeline = channel.pipeline();
    for (Class<? extends ChannelHandler> type : HTTP1_HANDLERS) {
      ChannelHandler handler = pipeline.get(type);
      if (handler != null) pipeline.remove(handler);
    }
    if (http10) pipeline.addLast(new UnchunkedBody());
    direct = channel instanceof AbstractEpollStreamChannel && nothingOutbound(pipeline);
    started.run();
  }

  /** Whether no handler would see an outbound message: TLS, or HTTP/1.0's unchunking, must. */
  private static boolean nothingOutbound(ChannelPipeline pipeline) {
    for (Map.Entry<String, ChannelHandler> e : pipeline) {
      if (e.getValue() instanceof ChannelOutboundHandler) return false;
    }
    return true;
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
    ByteBuf chunk = live.chunk();
    if (canStage(chunk)) {
      if (staged == null) staged = new ByteBuf[4];
      if (stagedCount == staged.length) staged = Arrays.copyOf(staged, stagedCount * 2);
      staged[stagedCount++] = chunk.retain();
      stagedBytes += chunk.readableBytes();
      return;
    }
    unstage();
    writeChunk(chunk.retainedDuplicate(), live.payloadOffset(), channel.voidPromise());
  }

  /** Whether {@code chunk} may wait here for the flush instead of in the outbound buffer. */
  private boolean canStage(ByteBuf chunk) {
    if (!direct || unflushed || stagedCount == MAX_STAGED || !chunk.hasMemoryAddress()) return false;
    // Staged bytes are not in the outbound buffer's count, and it is empty when they are staged:
    // stay under its limit, so a subscriber that falls behind is cut at the same limit either way.
    // (A channel closed meanwhile is found at the flush, which drops what was staged.)
    if (stagedBytes + chunk.readableBytes() > Math.min(MAX_STAGED_BYTES, config.outboundBufferLimitBytes())) return false;
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out != null && out.isEmpty() && out.totalPendingWriteBytes() == 0;
  }

  /** Hands the staged chunks to the outbound buffer, in order, before anything written after them. */
  private void unstage() {
    unstageFrom(0, 0);
  }

  /** The staged chunks from {@code index} on, the first less its first {@code skip} bytes, become channel writes. */
  private void unstageFrom(int index, int skip) {
    for (int i = index; i < stagedCount; i++) {
      // A duplicate shares the chunk's reference count: the reference held here goes with it.
      ByteBuf rest = staged[i].duplicate();
      if (i == index) rest.skipBytes(skip);
      channelWrite(rest, channel.voidPromise());
    }
    clearStaged();
  }

  private void clearStaged() {
    if (stagedCount > 0) Arrays.fill(staged, 0, stagedCount, null);
    stagedCount = 0;
    stagedBytes = 0;
  }

  /**
   * Writes the staged chunks in one {@code writev}. What the socket did not take, and everything
   * after a failure, goes to the outbound buffer: Netty then waits for the socket, or meets the
   * same failure and closes the connection, as for any write.
   */
  private void writeStaged() {
    if (!channel.isActive()) {
      // Closed since: its descriptor may already be another connection's.
      releaseStaged();
      return;
    }
    IovArray iov = IOV.get();
    iov.clear();
    for (int i = 0; i < stagedCount; i++) {
      ByteBuf b = staged[i];
      if (!iov.add(b, b.readerIndex(), b.readableBytes())) {
        unstage();
        return;
      }
    }
    long written;
    try {
      written = ((AbstractEpollStreamChannel) channel).fd().writevAddresses(iov.memoryAddress(0), iov.count());
    } catch (IOException | RuntimeException e) {
      unstage();
      return;
    }
    int i = 0;
    while (i < stagedCount && written >= staged[i].readableBytes()) {
      written -= staged[i].readableBytes();
      staged[i++].release();
    }
    if (i < stagedCount) {
      unstageFrom(i, (int) written);
    } else {
      clearStaged();
    }
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
    unstage();
    ByteBuf chunk = Frames.chunk(channel.alloc(), frame);
    writeChunk(chunk, Frames.payloadOffset(chunk), promise);
  }

  @Override
  public void writeHeartbeat() {
    unstage();
    writeChunk(Frames.HEARTBEAT.duplicate(), 3, channel.voidPromise());
  }

  private void writeChunk(ByteBuf chunk, int payloadOffset, ChannelPromise promise) {
    if (h2) {
      // Same bytes, minus the HTTP/1.1 chunk framing: a duplicate has its own indexes.
      chunk.setIndex(chunk.readerIndex() + payloadOffset, chunk.writerIndex() - 2);
      channelWrite(new DefaultHttp2DataFrame(chunk), promise);
    } else {
      channelWrite(chunk, promise);
    }
  }

  private void channelWrite(Object message, ChannelPromise promise) {
    unflushed = true;
    channel.write(message, promise);
  }

  @Override
  public void flush() {
    if (stagedCount > 0) writeStaged();
    if (unflushed) {
      unflushed = false;
      channel.flush();
    }
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
    return out != null ? out.totalPendingWriteBytes() + stagedBytes : config.outboundBufferLimitBytes() + channel.bytesBeforeWritable();
  }

  @Override
  public long outboundLimitBytes() {
    return config.outboundBufferLimitBytes();
  }

  @Override
  public void end() {
    unstage();
    if (h2) {
      channel.write(new DefaultHttp2DataFrame(true));
    } else {
      channel.write(Frames.LAST_CHUNK.duplicate());
    }
    unflushed = false;
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void close() {
    releaseStaged();
    channel.close();
  }

  /** Nothing staged will be written: the references go back, as the outbound buffer's would. */
  private void releaseStaged() {
    for (int i = 0; i < stagedCount; i++) staged[i].release();
    clearStaged();
  }
}
