package dev.herald.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The clocks of an HTTP/1 connection, first in its pipeline (it sees bytes as they arrive). While
 * the connection waits for a request, it may stay silent for {@code idleTimeout}, then it is
 * closed. From the first byte of a request, the whole request (line, headers and body) must arrive
 * within {@code deadline}, however steadily it trickles in: otherwise the client gets a {@code 408}
 * and the connection closes. While a request is answered neither clock runs; an event stream
 * removes this handler, its request side being quiet by design.
 *
 * <p>The {@link RequestHandler} says when a request is complete and when its answer went out.
 * Runs on the channel's event loop only.
 */
final class RequestTimer extends ChannelInboundHandlerAdapter {
  private enum State { IDLE, RECEIVING, ANSWERING }

  private final Duration idleTimeout;
  private final Duration deadline;
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  private ScheduledFuture<?> timer;
  private boolean draining; // the 408 is written: what the client still sends is dropped

  RequestTimer(Duration idleTimeout, Duration deadline) {
    this.idleTimeout = idleTimeout;
    this.deadline = deadline;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) arm(idleTimeout);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (timer == null) arm(idleTimeout);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (draining) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
      state = State.RECEIVING;
      arm(deadline);
    }
    super.channelRead(ctx, msg);
  }

  /** A whole request arrived: no clock runs while it is answered. */
  void requestReceived() {
    state = State.ANSWERING;
    cancel();
  }

  /** The answer went out and the connection stays open: it waits for the next request. */
  void answered() {
    state = State.IDLE;
    arm(idleTimeout);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  private void arm(Duration after) {
    cancel();
    timer = ctx.executor().schedule(this::expired, after.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) timer.cancel(false);
    timer = null;
  }

  private void expired() {
    timer = null;
    if (!ctx.channel().isActive()) return;
    if (state == State.RECEIVING && ctx.pipeline().get(HttpServerCodec.class) != null) {
      LoopFanout.LOG.debug("request not complete within {}: answering 408 to {}", deadline, ctx.channel().remoteAddress());
      // From the pipeline's tail, so the HTTP encoder (and TLS) frame it. The client may still be
      // sending: the rest of its request is dropped here, before the HTTP decoder.
      draining = true;
      ctx.channel().writeAndFlush(timeout()).addListener((ChannelFutureListener) Refusal::closeGently);
    } else if (state != State.ANSWERING) {
      LoopFanout.LOG.debug("no request within {}: closing {}", idleTimeout, ctx.channel().remoteAddress());
      ctx.close();
    }
  }

  private FullHttpResponse timeout() {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
        Unpooled.copiedBuffer("request not received within " + deadline.toMillis() + " ms\n", StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    return res;
  }
}
