package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive connection to the bench server's {@code POST /publish}; at most one publish in
 * flight on it. Runs on the load generator's event loop.
 */
final class Publisher extends SimpleChannelInboundHandler<FullHttpResponse> {
  interface Acks {
    void acked(Publisher p, long id, long nanos);

    void failed(String why);
  }

  private final Acks acks;
  private final String path;
  private final String hostHeader;
  Channel channel;
  boolean busy;
  /** When the publish in flight was sent ({@link System#nanoTime}), for its acknowledgement's latency. */
  long sentNanos;

  /** Null: the bench server's control endpoint; otherwise any hub, see {@link Target}. */
  private final Target target;

  Publisher(Acks acks, String path, String hostHeader) {
    this(acks, path, hostHeader, null);
  }

  Publisher(Acks acks, String path, String hostHeader, Target target) {
    this.acks = acks;
    this.path = path;
    this.hostHeader = hostHeader;
    this.target = target;
  }

  /** Sends one publish; {@code body} is the event's data, owned by this call. */
  void publish(ByteBuf body) {
    busy = true;
    sentNanos = System.nanoTime();
    String contentType = "text/plain";
    if (target != null && target.format == Target.Format.HERALD_FORM) {
      // topic=<t>&data=<body>: the body is ASCII digits, spaces and padding; a space is '+'.
      ByteBuf form = body.alloc().buffer(body.readableBytes() + 16 + target.formTopic.length);
      form.writeBytes(target.formTopic);
      for (int i = body.readerIndex(); i < body.writerIndex(); i++) {
        byte b = body.getByte(i);
        form.writeByte(b == ' ' ? '+' : b);
      }
      body.release();
      body = form;
      contentType = "application/x-www-form-urlencoded";
    }
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body);
    req.headers().set(HttpHeaderNames.HOST, hostHeader);
    req.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    if (target != null) {
      for (String[] h : target.headers) req.headers().set(h[0], h[1]);
    }
    req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    channel.writeAndFlush(req, channel.voidPromise());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
    long now = System.nanoTime();
    busy = false;
    String body = res.content().toString(StandardCharsets.UTF_8).trim();
    if (target != null) {
      // Any hub: a 2xx is an acknowledgement; its body (Herald's id, Nchan's queue info) is not used.
      if (res.status().code() / 100 != 2) {
        acks.failed("publish answered " + res.status() + ": " + body);
        return;
      }
      acks.acked(this, -1, now);
      return;
    }
    if (!res.status().equals(HttpResponseStatus.OK)) {
      acks.failed("publish answered " + res.status() + ": " + body);
      return;
    }
    try {
      acks.acked(this, Long.parseLong(body), now);
    } catch (NumberFormatException e) {
      acks.failed("publish answered a non-numeric id: " + body);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    acks.failed("publisher: " + cause);
    ctx.close();
  }
}
