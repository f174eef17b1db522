package dev.herald.server.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline of a connection over a limit: answers at once with a complete HTTP/1.1 error
 * response (the request is not needed to refuse it, and reading it would cost what the limit
 * saves), then closes. It sends its FIN first and reads and drops what the client still sends for
 * a moment: closing with unread request bytes would make the kernel send a reset, which can destroy
 * the answer before the client read it.
 */
final class Refusal extends ChannelInboundHandlerAdapter {
  /** How long a refused connection is kept, at most, for the client to read the answer and hang up. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final byte[] response;

  private Refusal(int status, String reason, String message) {
    String body = message + "\n";
    this.response = ("HTTP/1.1 " + status + " " + reason + "\r\n"
        + "content-type: text/plain; charset=utf-8\r\n"
        + "content-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
        + "retry-after: 1\r\n"
        + "connection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
  }

  /** The answer for a connection the limiter did not admit. */
  static Refusal of(ConnectionLimiter.Verdict verdict, HttpLimits limits) {
    return switch (verdict) {
      case SERVER_FULL -> new Refusal(503, "Service Unavailable",
          "the server is at its limit of " + limits.maxConnections() + " connections; retry later");
      case ADDRESS_FULL -> addressFull(limits.maxNewConnectionsPerAddress());
      case ADMITTED -> throw new IllegalArgumentException("an admitted connection is not refused");
    };
  }

  /** The answer for a connection over one of its address's limits, {@code limit}. */
  static Refusal addressFull(int limit) {
    return new Refusal(429, "Too Many Requests",
        "too many connections from your address (the limit is " + limit + "); retry later");
  }

  /**
   * Refuses an admitted connection that is already running (its pipeline in place): the pipeline
   * is replaced by this refusal, which answers at once. Over TLS the connection is just closed.
   */
  void takeOver(Channel ch) {
    ChannelPipeline p = ch.pipeline();
    if (p.get(SslHandler.class) != null) {
      ch.close();
      return;
    }
    while (p.first() != null) p.removeFirst();
    p.addLast(this);
    ch.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener((ChannelFutureListener) Refusal::closeGently);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener((ChannelFutureListener) Refusal::closeGently);
  }

  /**
   * Once a final answer is written ({@code written}): sends FIN and closes when the client does, or
   * after {@link #LINGER}; the caller drops what is read meanwhile. A plain close while request
   * bytes are unread, or still arriving, would send a reset that can destroy the answer at the
   * client. Over TLS the channel is just closed (its close_notify needs the pipeline).
   */
  static void closeGently(ChannelFuture written) {
    Channel ch = written.channel();
    if (written.isSuccess() && ch instanceof DuplexChannel duplex
        && ch.pipeline().get(SslHandler.class) == null) {
      ch.eventLoop().schedule(() -> ch.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
      duplex.shutdownOutput(); // the client reads the answer, then the end; its close ends ours
    } else {
      ch.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset by a client that did not wait for the answer: nothing to report
  }
}
